/* The Greeks dashboard's chart: today's account delta, vega and theta (₹) from the 5-minute snapshots
   (json_script "greeks-chart-data"). Chart.js is the vendored static/vendor/chartjs build. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("greeks-chart");
    var source = document.getElementById("greeks-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels.map(function (t) {
      return new Date(t).toLocaleTimeString("en-IN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Kolkata" });
    });
    var nums = function (xs) { return xs.map(Number); };
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: "Delta ₹", data: nums(data.delta), yAxisID: "y", borderWidth: 2, pointRadius: 2 },
          { label: "Vega ₹", data: nums(data.vega), yAxisID: "y1", borderWidth: 2, pointRadius: 2 },
          { label: "Theta ₹/day", data: nums(data.theta), yAxisID: "y1", borderWidth: 2, pointRadius: 2 },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { position: "left", title: { display: true, text: "delta ₹" } },
                  y1: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "vega / theta ₹" } } },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
