/* The intraday M2M chart of a strategy (strategy settings page): total P&L (realised + unrealised) and, on the
   right axis, margin used at each 5-minute snapshot of housekeeping's strategy_snapshots job. Data from json_script "m2m-chart-data"
   (amounts as exact strings); Chart.js is the vendored static/vendor/chartjs/chart.umd.min.js. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("m2m-chart");
    var source = document.getElementById("m2m-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var num = function (v) { return v === null || v === undefined ? null : Number(v); };
    var fmt = function (v) {
      return window.OMS && window.OMS.fmt ? window.OMS.fmt.inr(v) : "₹" + Number(v).toFixed(2);
    };
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "M2M", data: data.total.map(Number), borderColor: styles.getPropertyValue("--accent").trim() || "#4c9aff", pointRadius: 2, tension: 0 },
          { label: "Realised", data: data.realised.map(Number), borderColor: styles.getPropertyValue("--muted").trim() || "#888", pointRadius: 0, tension: 0 },
          { label: "Margin used", data: (data.margin || []).map(num), yAxisID: "y1", borderColor: styles.getPropertyValue("--warn").trim() || "#d9a400", borderDash: [4, 3], pointRadius: 0, tension: 0 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt(c.parsed.y); } } } },
        scales: {
          y: { ticks: { callback: function (v) { return fmt(v); } } },
          y1: { position: "right", grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return fmt(v); } } }
        }
      }
    });
    canvas.setAttribute("data-rendered", String(data.labels.length));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
