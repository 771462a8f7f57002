// The algorithm panel: each execution's row follows its `{"type": "execution"}` frames from /ws/orders/
// (orders.services.algos pushes the progress on every change); a new execution reloads the page.
(function () {
  "use strict";
  function init() {
    const table = document.getElementById("algo-rows");
    if (!table || !window.OMS) return;
    window.OMS.socket("/ws/orders/", {
      onMessage(msg) {
        if (msg.type !== "execution" || !msg.execution) return;
        const e = msg.execution;
        const row = document.getElementById(`algo-row-${e.id}`);
        if (!row) { window.location.reload(); return; }
        const set = (name, value) => {
          row.querySelectorAll(`[data-field="${name}"]`).forEach((el) => { el.textContent = value == null ? "–" : value; });
        };
        const bar = row.querySelector('progress[data-field="progress"]');
        if (bar) { bar.value = Number(e.progress_pct); bar.setAttribute("aria-label", `Filled ${e.progress_pct}%`); }
        ["progress_pct", "filled_quantity", "average_price", "slippage_bps", "slices_done", "slices_total", "status",
         "status_message"].forEach((k) => set(k, e[k]));
        set("time_left_seconds", e.time_left_seconds == null ? null : `${e.time_left_seconds} s`);
        if (!["PENDING", "RUNNING", "PAUSED"].includes(e.status)) row.querySelectorAll("form").forEach((f) => f.remove());
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
