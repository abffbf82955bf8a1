// 予算ダッシュボード: draws the bar chart per 地域 (交付決定額, 振込済額, 振込予定額) with Chart.js from the json_script data.
// The tables on the page hold the same figures; the chart is only a picture of them.
(function () {
  const canvas = document.getElementById("area-chart");
  const source = document.getElementById("area-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = { committed: "#0b4f8a", made: "#c75b00", pending: "#6b6b6b" };
  const yen = (value) => Number(value).toLocaleString("ja-JP") + data.unit;
  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  window.Chart.defaults.font.family = '"IPAexGothic", "Hiragino Sans", "Noto Sans JP", sans-serif';
  window.Chart.defaults.color = "#1a1a1a";
  window.Chart.defaults.font.size = 14;
  window.areaChart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((s) => ({
        label: s.label,
        data: s.data,
        backgroundColor: colours[s.key],
        borderColor: colours[s.key],
        borderWidth: 1,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 400 },
      plugins: {
        legend: { position: "top" },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${yen(ctx.parsed.y)}` } },
      },
      scales: {
        x: { ticks: { autoSkip: false, maxRotation: 60 } },
        y: { beginAtZero: true, grace: "5%", ticks: { callback: (value) => yen(value) } },
      },
    },
  });
})();
