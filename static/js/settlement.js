/* The futures settlement chart (positions page and /settlements/): daily M2M as bars, its running total as a
   line. Data comes from the page (json_script "settlement-chart-data", amounts as exact strings); Chart.js is
   the vendored static/vendor/chartjs/chart.umd.min.js (no CDN). */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("settlement-chart");
    var source = document.getElementById("settlement-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var m2m = data.m2m.map(Number);
    var styles = getComputedStyle(document.documentElement);
    var up = styles.getPropertyValue("--buy").trim() || "#26a269";
    var down = styles.getPropertyValue("--sell").trim() || "#e5484d";
    var fmt = function (v) {
      return window.OMS && window.OMS.fmt ? window.OMS.fmt.inr(v) : "₹" + Number(v).toFixed(2);
    };
    canvas.chart = new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "M2M", data: m2m, backgroundColor: m2m.map(function (v) { return v < 0 ? down : up; }) },
          { type: "line", label: "Running total", data: data.cumulative.map(Number), borderColor: styles.getPropertyValue("--accent").trim() || "#4c9aff", pointRadius: 2, tension: 0 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
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
