/* The API's documentation page (Swagger UI, /api/v1/docs): names for Swagger UI's buttons that have only an icon
   (the dialog's close button), so that a screen reader says what they do (axe-core button-name). Swagger UI renders
   and re-renders its parts at any time: each new part is looked at as it appears. */
(function () {
  "use strict";
  function nameIconButtons(root) {
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "閉じる");
    });
  }
  new MutationObserver(function () { nameIconButtons(document); })
    .observe(document.body, { childList: true, subtree: true });
  nameIconButtons(document);
})();
