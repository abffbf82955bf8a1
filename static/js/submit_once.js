// Sends a form once: on submit, the form's submit buttons are disabled and say 「送信中…」, so that a double click
// does not send it twice (the server also keeps the form's one-time key: grants.core.once). The button that was
// clicked keeps its name and value (copied into a hidden input, since a disabled button is not sent).
// - A form another script has already handled (event.defaultPrevented: a fetch, a confirmation) is left alone.
// - A form the browser refuses (required field empty) fires no submit event: nothing changes.
// - A form that downloads a file stays on the page: forms with data-download, and GET forms, are enabled again
//   after a few seconds. A form marked data-submit-once="off" is never locked.
// - Coming back with the browser's 戻る (back-forward cache) enables the buttons again.
(function () {
  const SENDING = "送信中…";
  const DOWNLOAD_RELEASE_MS = 4000;

  // Attributes are read with getAttribute: form.id or form.method would be a field named "id" or "method".
  function buttonsOf(form) {
    const id = form.getAttribute("id");
    return Array.from(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"))
      .concat(id ? Array.from(document.querySelectorAll(
        `button[form="${CSS.escape(id)}"], input[type=submit][form="${CSS.escape(id)}"]`)) : []);
  }

  function lock(form, submitter) {
    form.dataset.sending = "true";
    if (submitter && submitter.name && !submitter.disabled) {
      const copy = document.createElement("input");
      copy.type = "hidden"; copy.name = submitter.name; copy.value = submitter.value;
      copy.dataset.submitterCopy = "true";
      form.appendChild(copy);
    }
    buttonsOf(form).forEach(function (button) {
      if (button.disabled) return;
      button.dataset.sendingLabel = button.tagName === "INPUT" ? button.value : button.textContent;
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      if (button.tagName === "INPUT") button.value = SENDING; else button.textContent = SENDING;
    });
  }

  function release(form) {
    delete form.dataset.sending;
    form.querySelectorAll("input[data-submitter-copy]").forEach(function (copy) { copy.remove(); });
    buttonsOf(form).forEach(function (button) {
      if (button.dataset.sendingLabel === undefined) return;
      if (button.tagName === "INPUT") button.value = button.dataset.sendingLabel;
      else button.textContent = button.dataset.sendingLabel;
      delete button.dataset.sendingLabel;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.getAttribute("data-submit-once") === "off") return;
    if (form.dataset.sending === "true") { event.preventDefault(); return; }
    const stays = form.hasAttribute("data-download") || (form.getAttribute("method") || "get").toLowerCase() !== "post"
      || form.getAttribute("target") === "_blank";
    // The form's data are read once this event is over: the copy of the button goes in now, the locking after.
    const submitter = event.submitter || null;
    form.dataset.sending = "true";
    setTimeout(function () {
      if (event.defaultPrevented) { delete form.dataset.sending; return; }  // a later handler took it over
      lock(form, submitter);
      if (stays) setTimeout(function () { release(form); }, DOWNLOAD_RELEASE_MS);
    }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
