// The 事業計画書 section of an application's case page (templates/cases/sections/_project_plan.html).
// - Saves the draft as the group types: after a pause in typing and when a field loses focus, the form is posted
//   to its save endpoint (JSON answer); 「下書きを保存しました（HH:MM）」 is announced in the status region.
// - Keeps a copy of unsaved text in this browser (localStorage, one key per case) until the server has it, so
//   that text typed before the login expired is not lost: after the re-login the page offers to restore it.
// - Previews the amount the call's rule gives while a budget line is typed (before it is added).
// - Sends each 手続 form once (a double click submits one request).
// Without this script the form still saves with its button. No inline script: the page loads this with defer.
(function () {
  "use strict";
  const section = document.getElementById("project-plan-section");
  if (!section) return;
  const key = "grants:project-plan:" + section.dataset.case;
  const storage = (function () {
    try { window.localStorage.getItem(key); return window.localStorage; } catch (e) { return null; }
  })();
  const form = document.getElementById("project-plan-form");

  if (section.dataset.editable === "true" && form) {
    autosave(form);
  } else if (storage) {
    storage.removeItem(key); // submitted or read-only: nothing is left to restore here
  }
  amountPreview();
  sendOnce();

  function csrfToken(fallback) {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : fallback;
  }

  function autosave(form) {
    const status = document.getElementById("plan-save-status");
    const areas = Array.from(form.querySelectorAll("textarea"));
    const tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    let saved = form.dataset.unsaved === "true" ? null : JSON.stringify(values());
    let timer = null;
    let saving = false;
    let again = false;

    function values() {
      const v = {};
      areas.forEach(function (a) { v[a.name] = a.value; });
      return v;
    }
    function say(text, failed) {
      status.className = failed ? "ng" : "help"; // a failure stands out; a save is a quiet note
      status.textContent = text;
    }
    function keepCopy() {
      if (!storage) return;
      const v = values();
      if (JSON.stringify(v) === saved) { storage.removeItem(key); return; }
      try { storage.setItem(key, JSON.stringify({ values: v, at: Date.now() })); } catch (e) { /* full: skip */ }
    }
    function markErrors(errors) {
      areas.forEach(function (a) {
        if (errors && errors[a.name]) a.setAttribute("aria-invalid", "true");
        else a.removeAttribute("aria-invalid");
      });
    }
    async function save() {
      clearTimeout(timer);
      const text = JSON.stringify(values());
      if (text === saved) return;
      if (saving) { again = true; return; }
      saving = true;
      const body = new FormData(form);
      body.delete("csrfmiddlewaretoken"); // the header carries the current token (it changes at each login)
      try {
        const response = await fetch(form.action, {
          method: "POST", body: body, credentials: "same-origin", redirect: "error",
          headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(tokenInput ? tokenInput.value : "") },
        });
        let data = {};
        try { data = await response.json(); } catch (e) { data = {}; }
        if (response.ok) {
          saved = text;
          markErrors(null);
          say(data.message || "下書きを保存しました");
          keepCopy();
        } else if (response.status === 401 || response.status === 403) {
          keepCopy();
          say(data.error || "ログインの有効期限が切れたため、保存できませんでした。入力した内容はこの端末に一時的に残しています。もう一度ログインしてからこの画面を開くと、復元できます。", true);
        } else {
          keepCopy();
          markErrors(data.errors);
          say((data.error || "保存できませんでした。") + " 保存していません。", true);
        }
      } catch (e) {
        keepCopy();
        say("通信できなかったため、保存できませんでした。入力した内容はこの端末に一時的に残しています。", true);
      } finally {
        saving = false;
        if (again) { again = false; save(); }
      }
    }

    form.addEventListener("input", function () {
      if (status.className !== "ng") say(""); // the last "saved" note no longer holds; cleared silently
      keepCopy();
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    areas.forEach(function (a) { a.addEventListener("blur", save); });
    offerRestore(areas, values, save);
  }

  function offerRestore(areas, values, save) {
    const box = document.getElementById("plan-restore");
    if (!storage || !box) return;
    let copy = null;
    try { copy = JSON.parse(storage.getItem(key) || "null"); } catch (e) { copy = null; }
    if (!copy || !copy.values) return;
    const current = values();
    const differs = Object.keys(copy.values).some(function (name) {
      return name in current && copy.values[name] !== current[name];
    });
    if (!differs) { storage.removeItem(key); return; }
    const when = new Date(copy.at);
    const pad = function (n) { return String(n).padStart(2, "0"); };
    document.getElementById("plan-restore-text").textContent =
      "この端末に、保存されていない入力が残っています（" + (when.getMonth() + 1) + "月" + when.getDate() + "日 " +
      pad(when.getHours()) + ":" + pad(when.getMinutes()) + "の入力）。復元すると、画面の内容を置き換えて保存します。";
    box.hidden = false;
    document.getElementById("plan-restore-apply").addEventListener("click", function () {
      areas.forEach(function (a) { if (a.name in copy.values) a.value = copy.values[a.name]; });
      box.hidden = true;
      areas[0].focus();
      save();
    });
    document.getElementById("plan-restore-discard").addEventListener("click", function () {
      storage.removeItem(key);
      box.hidden = true;
      areas[0].focus();
    });
  }

  function amountPreview() {
    const lineForm = document.getElementById("budget-line-form");
    const url = section.dataset.previewUrl;
    if (!lineForm || !url) return;
    const kind = document.getElementById("budget-line-kind");
    const category = document.getElementById("budget-line-category");
    const amount = document.getElementById("budget-line-amount");
    if (!amount) return;
    const box = document.createElement("div");
    box.id = "amount-preview";
    box.setAttribute("aria-live", "polite");
    lineForm.appendChild(box);
    let timer = null;

    function show(data) {
      box.replaceChildren();
      if (data.error) {
        const p = document.createElement("p");
        p.className = "ng";
        p.textContent = "算定額の見込みを計算できません：" + data.error;
        box.appendChild(p);
        return;
      }
      const p = document.createElement("p");
      p.append("この明細を追加すると、算定額は ");
      const strong = document.createElement("strong");
      strong.id = "amount-preview-total";
      strong.textContent = data.amount_text;
      p.append(strong, " になります（見込み）。");
      const table = document.createElement("table");
      table.className = "data";
      const caption = table.createCaption();
      caption.textContent = "この明細を加えたときの計算（見込み）";
      const head = table.createTHead().insertRow();
      ["項目", "計算", "金額"].forEach(function (t) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = t;
        if (t === "金額") th.className = "num";
        head.appendChild(th);
      });
      const tbody = table.createTBody();
      data.lines.forEach(function (line) {
        const row = tbody.insertRow();
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = line.label;
        row.appendChild(th);
        row.insertCell().textContent = line.basis + (line.applied ? "" : "（適用なし）");
        const cell = row.insertCell();
        cell.className = "num";
        cell.textContent = line.amount_text;
      });
      box.append(p);
      if (data.excluded) {
        const note = document.createElement("p");
        note.className = "ng";
        note.id = "amount-preview-excluded";
        note.textContent = data.excluded + " 審査では、この明細を除いて交付額を決めます。";
        box.append(note);
      }
      box.append(table);
    }
    async function preview() {
      const value = amount.value.trim();
      if (!value) { box.replaceChildren(); return; }
      const params = new URLSearchParams({ amount: value, kind: kind ? kind.value : "expense",
                                           category: category ? category.value : "" });
      try {
        const response = await fetch(url + "?" + params.toString(), {
          credentials: "same-origin", redirect: "error", headers: { "Accept": "application/json" },
        });
        show(await response.json());
      } catch (e) {
        box.replaceChildren();
      }
    }
    [kind, category, amount].forEach(function (input) {
      if (!input) return;
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(preview, 400); });
      input.addEventListener("change", function () { clearTimeout(timer); preview(); });
    });
  }

  function sendOnce() {
    document.querySelectorAll(".actions form").forEach(function (f) {
      f.addEventListener("submit", function (event) {
        if (f.dataset.sent === "true") { event.preventDefault(); return; }
        f.dataset.sent = "true";
        const button = f.querySelector("button[type=submit]");
        if (button) setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  }
})();
