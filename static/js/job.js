// Polls a background job and shows its progress; the download link appears when it is done.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-progress");
  const summary = document.getElementById("job-summary");
  const link = document.getElementById("job-download");
  async function poll() {
    const response = await fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
    const data = await response.json();
    bar.value = data.percent; bar.textContent = data.percent + "%";
    summary.textContent = `状態：${data.label}（${data.done} / ${data.total}）${data.message ? "　" + data.message : ""}`;
    box.dataset.status = data.status;
    if (data.status === "done") {
      const anchor = link.querySelector("a");
      if (data.filename) anchor.textContent = data.filename + "をダウンロードする";
      link.hidden = false; return;
    }
    if (data.status === "failed") return;
    setTimeout(poll, 1000);
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") poll();
})();
