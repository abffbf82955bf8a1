// Polls a background job and shows its progress. When the job ends, the page is loaded again, so that it shows
// the result as the server writes it: the download link, the page the job made, or the errors that stopped it.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-progress");
  const summary = document.getElementById("job-summary");
  // One failed look (the network, a busy server, an answer that is not JSON) must not end the polling: the next
  // look comes a little later, so that the page never waits for ever on a job that has ended.
  let failures = 0;
  async function poll() {
    try {
      const response = await fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      failures = 0;
      bar.value = data.percent; bar.textContent = data.percent + "%";
      summary.textContent = `状態：${data.label}（${data.done} / ${data.total}）`;
      if (data.status === "done" || data.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1;
    }
    setTimeout(poll, Math.min(1000 * (1 + failures), 5000));
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") poll();
})();
