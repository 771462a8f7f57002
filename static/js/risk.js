// The kill switch page: engaging asks through the product's one modal (OMS.modal) before the form goes.
(function () {
  "use strict";
  document.querySelectorAll("form[data-kill-confirm]").forEach((form) => {
    let confirmed = false;
    form.addEventListener("submit", (e) => {
      if (confirmed) return;
      e.preventDefault();
      const reason = form.querySelector("input[name=reason]").value || "engaged from the kill switch page";
      window.OMS.modal.confirm({
        title: "Engage the kill switch?",
        rows: [["Open orders", "all cancelled"], ["Positions", "squared off at market"], ["Reason", reason]],
        note: "Afterwards only orders that reduce a position are accepted until you release it.",
        confirm: "Engage", cancel: "Keep trading", tone: "danger",
      }).then((ok) => {
        if (ok) { confirmed = true; form.requestSubmit ? form.requestSubmit() : form.submit(); }
      });
    });
  });
})();
