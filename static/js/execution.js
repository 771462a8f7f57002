// The ticket's execution panel and the wide-spread warning (issue #11; templates/orders/partials/_execution_panel.html).
// Loaded with the ticket page (the panel is re-rendered with every preview), so its listeners are there before
// the first click: loaded with the panel, it could still be on its way when Place order was clicked.
//  - "Use" next to the recommended limit price: the ticket becomes a LIMIT order at that price.
//  - "Work it as a TWAP / an iceberg" when the advice is TWAP or ICEBERG: the ticket's Execution switches to it.
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

  // "Work it as a TWAP / an iceberg" (the advice is TWAP or ICEBERG): the ticket's Execution switches to it, with
  // the advised slice size (an iceberg's visible lots; a TWAP's number of slices) and, for an iceberg, LIMIT at the
  // recommended price. The trader still reviews and submits.
  function useAlgo(algorithm, sliceQuantity, limitPrice) {
    const f = form();
    if (!f) return;
    const lotEl = document.getElementById("ticket-lot-size");
    const lot = lotEl ? Number(lotEl.dataset.lotSize) : 0;
    const lots = Number(f.elements.lots ? f.elements.lots.value : 0);
    const sliceLots = lot > 0 && sliceQuantity ? Math.max(1, Math.floor(Number(sliceQuantity) / lot)) : 0;
    setField(f, "execution", algorithm);
    if (algorithm === "ICEBERG") {
      if (limitPrice) { setField(f, "order_type", "LIMIT"); setField(f, "price", limitPrice); }
      if (sliceLots && sliceLots < lots) setField(f, "iceberg_visible_lots", String(sliceLots));
    } else {
      if (f.elements.twap_duration && !f.elements.twap_duration.value) setField(f, "twap_duration", "10");
      if (sliceLots && lots > sliceLots) setField(f, "twap_slices", String(Math.ceil(lots / sliceLots)));
    }
    const first = f.querySelector(algorithm === "ICEBERG" ? "[name=iceberg_visible_lots]" : "[name=twap_duration]");
    if (first) first.focus();
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
    const algo = f.elements.execution && f.elements.execution.value && f.elements.execution.value !== "REGULAR";
    return severe && !algo && f.elements.order_type && f.elements.order_type.value === "MARKET" &&
      !f.querySelector("input[name=execution_override]");
  }

  function rupees(v) { return v === "" ? null : "₹" + v; }

  document.addEventListener("click", (e) => {
    const btn = e.target.closest("[data-execution-use-limit]");
    if (!btn) return;
    const p = panel();
    if (p) useLimit(p.dataset.limitPrice);
  });

  document.addEventListener("click", (e) => {
    const btn = e.target.closest("[data-execution-use-algo]");
    if (!btn) return;
    const p = panel();
    useAlgo(btn.dataset.executionUseAlgo, btn.dataset.sliceQuantity, p ? p.dataset.limitPrice : "");
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

  OMS.execution = { useLimit, useAlgo, setOverride };
})();
