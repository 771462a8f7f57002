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
// Other risk forms (release the kill switch or a REDUCING status): data-risk-confirm='{title, rows, note, confirm,
// cancel, tone}' asks in the product's modal, with the reason typed shown as a row, then submits.
(function () {
  "use strict";
  document.querySelectorAll("form[data-risk-confirm]").forEach((form) => {
    let confirmed = false;
    form.addEventListener("submit", (e) => {
      if (confirmed) return;
      e.preventDefault();
      let opts;
      try { opts = JSON.parse(form.getAttribute("data-risk-confirm")); } catch (err) { opts = { title: "Confirm?" }; }
      const reason = form.querySelector("input[name=reason]");
      opts.rows = (opts.rows || []).concat(reason ? [["Reason", reason.value]] : []);
      opts.okTestid = opts.okTestid || "risk-confirm-ok";
      window.OMS.modal.confirm(opts).then((ok) => {
        if (ok) { confirmed = true; form.requestSubmit ? form.requestSubmit() : form.submit(); }
      });
    });
  });
})();
