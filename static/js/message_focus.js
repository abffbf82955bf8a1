// After an act, the page it leads to shows its message (「提出しました。」) at the top of <main>: the focus moves to
// that message, so that a screen reader reads it at once and the keyboard goes on from there, instead of the
// focus staying on <body> (issue 15). A page opened at one of its sections (#…) keeps its place on the screen:
// the message takes the focus without scrolling.
(function () {
  function focusMessage() {
    const message = document.querySelector(".messages .message");
    if (!message) return;
    if (!message.hasAttribute("tabindex")) message.setAttribute("tabindex", "-1");
    message.focus({ preventScroll: Boolean(window.location.hash) });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusMessage);
  else focusMessage();
})();
