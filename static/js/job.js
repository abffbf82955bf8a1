// Polls a background job and shows its progress. When the job ends, the page is loaded again, so that it shows
// the result as the server writes it: the download link, the page the job made, or the errors that stopped it.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-progress");
  const summary = document.getElementById("job-summary");
  async function poll() {
    const response = await fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
    const data = await response.json();
    bar.value = data.percent; bar.textContent = data.percent + "%";
    summary.textContent = `状態：${data.label}（${data.done} / ${data.total}）`;
    if (data.status === "done" || data.status === "failed") {
      window.location.reload();
      return;
    }
    setTimeout(poll, 1000);
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") poll();
})();
