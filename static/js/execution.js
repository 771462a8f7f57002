// The ticket's execution panel and the wide-spread warning (issue #11; templates/orders/partials/_execution_panel.html).
// Loaded with the panel (re-rendered with every preview), so it installs its listeners once.
//  - "Use" next to the recommended limit price: the ticket becomes a LIMIT order at that price.
//  - Submitting a MARKET order the guard would stop (VERY_WIDE spread, high impact, illiquid) opens the shared
//    modal (OMS.modal) with the seed's choices: Cancel / Use LIMIT order / Proceed anyway (execution_override).
//    Without JavaScript the server parks the order for approval instead (orders.execution).
(function () {
  "use strict";
  const OMS = (window.OMS = window.OMS || {});
  if (OMS.execution) return;

  function panel() { return document.querySelector("[data-testid=execution-panel]"); }
  function form() { return document.getElementById("order-ticket-form"); }

  function setField(f, name, value) {
    const el = f.elements[name];
    if (!el) return;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function useLimit(price) {
    const f = form();
    if (!f || !price) return;
    setField(f, "order_type", "LIMIT");
    setField(f, "price", price);
  }

  function setOverride(f, on) {
    let input = f.querySelector("input[name=execution_override]");
    if (on && !input) {
      input = document.createElement("input");
      input.type = "hidden"; input.name = "execution_override"; input.value = "on";
      f.appendChild(input);
    } else if (!on && input) input.remove();
  }

  function guarded(p, f) {
    const severe = p && p.dataset.guarded === "true" && ["WIDE_SPREAD", "HIGH_IMPACT"].includes(p.dataset.guard);
    return severe && f.elements.order_type && f.elements.order_type.value === "MARKET" &&
      !f.querySelector("input[name=execution_override]");
  }

  function rupees(v) { return v === "" ? null : "₹" + v; }

  document.addEventListener("click", (e) => {
    const btn = e.target.closest("[data-execution-use-limit]");
    if (!btn) return;
    const p = panel();
    if (p) useLimit(p.dataset.limitPrice);
  });

  // Runs on the form before the document-level listeners (modal.js's data-confirm), and stops them: the
  // trader answers this warning first; "Proceed anyway" submits again with the override, which passes here.
  document.addEventListener("htmx:confirm", (evt) => {
    const f = form();
    if (!f || evt.detail.elt !== f) return;
    const p = panel();
    if (!guarded(p, f)) return;
    evt.preventDefault();
    evt.stopImmediatePropagation();
    const d = p.dataset;
    const wide = d.guard === "WIDE_SPREAD";
    OMS.modal.confirm({
      title: wide ? "Wide bid-ask spread detected" : "High market impact",
      rows: [
        ["Spread", d.spreadPct === "" ? null : d.spreadPct + "%"],
        ["Spread (₹)", rupees(d.spreadAbs)],
        ["Estimated slippage", rupees(d.slippage)],
        ["Impact", d.impact === "" ? null : d.impact + " bps"],
        ["Recommended limit", rupees(d.limitPrice)],
      ],
      note: wide ? "A MARKET order pays the whole spread." : "A MARKET order of this size moves the price.",
      cancel: "Cancel", cancelTestid: "wide-spread-cancel",
      extra: d.limitPrice ? [{ label: "Use LIMIT order", value: "limit", testid: "wide-spread-use-limit" }] : [],
      confirm: "Proceed anyway", okTestid: "wide-spread-proceed", tone: "danger",
      testid: "wide-spread-modal",
    }).then((answer) => {
      if (answer === "limit") { useLimit(d.limitPrice); f.requestSubmit(); }
      else if (answer === true) { setOverride(f, true); f.requestSubmit(); }
    });
  }, true);

  // The override is for the one submission it was given for.
  document.addEventListener("htmx:afterRequest", (evt) => {
    const f = form();
    if (!f || evt.detail.elt !== f) return;
    // "Place it again" after a duplicate refusal resends the same answers (orders.js).
    f.dataset.lastOverride = f.querySelector("input[name=execution_override]") ? "true" : "";
    setOverride(f, false);
  });

  OMS.execution = { useLimit, setOverride };
})();
