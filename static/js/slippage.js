/* The slippage page's charts (templates/orders/slippage.html): average and median bps per bucket, from
   json_script "slippage-chart-data" (exact strings). Chart.js is the vendored static/vendor/chartjs (no CDN). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("slippage-chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var num = function (list) { return list.map(function (v) { return v === null ? null : Number(v); }); };
    document.querySelectorAll("canvas[data-dimension]").forEach(function (canvas) {
      var d = data[canvas.dataset.dimension];
      if (!d) return;
      canvas.chart = new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            { label: "Average (bps)", data: num(d.avg_bps), backgroundColor: "rgba(76,154,255,0.7)" },
            { label: "Median (bps)", data: num(d.median_bps), backgroundColor: "rgba(229,72,77,0.6)" }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { y: { title: { display: true, text: "bps (cost > 0)" } } } }
      });
      canvas.setAttribute("data-rendered", String(d.labels.length));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
