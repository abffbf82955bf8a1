// Drives the annual run chunk by chunk and shows its progress; without JavaScript the form button does it.
(function () {
  const box = document.getElementById("run");
  if (!box || box.dataset.status === "done") return;
  const form = document.getElementById("run-continue");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const bar = document.getElementById("run-progress");
  const summary = document.getElementById("run-summary");
  form.hidden = true;
  async function step() {
    const response = await fetch(box.dataset.stepUrl, {
      method: "POST", headers: { "X-CSRFToken": token, "Accept": "application/json" }, credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) { summary.textContent = data.error || "処理を続けられませんでした。"; form.hidden = false; return; }
    bar.max = data.total; bar.value = data.processed; bar.textContent = data.percent + "%";
    const head = data.status === "done" ? "完了しました。" : "処理中です。";
    summary.textContent = `${head} 対象 ${data.total} 団体のうち ${data.processed} 団体を処理（新規作成 ${data.created} 件、作成済のため対象外 ${data.existing} 件、世帯数なし ${data.missing} 件）。`;
    if (data.status === "done") { box.dataset.status = "done"; return; }
    step();
  }
  step().catch(function () { summary.textContent = "通信に失敗しました。「続きを処理する」を押してください。"; form.hidden = false; });
})();
