/* The margin dashboard's history chart: required margin (exchange + OMS buffer), the exchange margin alone and
   the capital, from the snapshots (json_script "margin-chart-data", amounts as exact strings). Chart.js is the
   vendored static/vendor/chartjs/chart.umd.min.js (no CDN). */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("margin-chart");
    var source = document.getElementById("margin-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var num = function (list) { return list.map(function (v) { return v === null ? null : Number(v); }); };
    var styles = getComputedStyle(document.documentElement);
    var color = function (name, fallback) { return styles.getPropertyValue(name).trim() || fallback; };
    var fmt = function (v) { return window.OMS && window.OMS.fmt ? window.OMS.fmt.inr(v) : "₹" + Number(v).toFixed(2); };
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Required (with buffer)", data: num(data.required), borderColor: color("--sell", "#e5484d"), pointRadius: 1, tension: 0 },
          { label: "Exchange margin", data: num(data.exchange), borderColor: color("--accent", "#4c9aff"), pointRadius: 1, tension: 0 },
          { label: "Capital", data: num(data.capital), borderColor: color("--buy", "#26a269"), borderDash: [4, 4], pointRadius: 0, tension: 0, spanGaps: true }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt(c.parsed.y); } } } },
        scales: { y: { ticks: { callback: function (v) { return fmt(v); } } } }
      }
    });
    canvas.setAttribute("data-rendered", String(data.labels.length));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
