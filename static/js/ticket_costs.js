// Ticket (#10): a MARKET order asks for confirmation in the product's modal (OMS.modal) with the costs & margin
// card's figures (data-confirm-row cells of #ticket-costs) unless the trader turned it off (OrderPreferences
// .confirm_market_orders; the modal's "Place, don't ask again" turns it off through a small POST).
(function () {
  "use strict";
  const OMS = (window.OMS = window.OMS || {});

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function rows(card) {
    return Array.from(card.querySelectorAll("[data-confirm-row]")).map((el) => {
      const cls = el.classList.contains("neg") ? "neg" : el.classList.contains("pos") ? "pos" : "num";
      return [el.dataset.confirmRow, el.textContent.replace(/\s+/g, " ").trim(), cls];
    });
  }

  function stopAsking(card) {
    const body = new URLSearchParams({ confirm_market_orders: "false" });
    return fetch(card.dataset.preferenceUrl, {
      method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
    }).then((r) => { if (r.ok) card.dataset.confirmMarket = "false"; });
  }

  document.addEventListener("htmx:confirm", (evt) => {
    const form = evt.detail.elt;
    if (!form || form.id !== "order-ticket-form") return;
    const card = document.getElementById("ticket-costs");
    const type = form.querySelector("#ticket-order-type");
    if (!card || !type || type.value !== "MARKET" || card.dataset.confirmMarket !== "true") return;
    if (!OMS.modal) return;
    // "Place it again" after a duplicate refusal: the trader confirmed this very order a moment ago.
    if (form.querySelector("input[name=confirm_duplicate]")) return;
    // A TWAP / iceberg (#11) is not one MARKET order: its slices go out over time, each through the checks.
    const execution = form.querySelector("#ticket-execution");
    if (execution && execution.value && execution.value !== "REGULAR") return;
    evt.preventDefault();
    const box = card.querySelector("[data-testid=costs]");
    const fits = !box || box.dataset.canExecute !== "false";
    OMS.modal.confirm({
      title: box ? `Confirm: ${box.dataset.title}` : "Confirm MARKET order",
      rows: box ? rows(box) : [],
      note: box
        ? (fits ? "A MARKET order fills at the best prices available now." : "Not enough margin: the order would be refused.")
        : "Costs and margin are still being computed.",
      confirm: "Confirm order",
      cancel: "Cancel",
      okTestid: "confirm-market-ok",
      cancelTestid: "confirm-market-cancel",
      testid: "confirm-market-modal",
      extra: [{ label: "Place, don't ask again", value: "never", testid: "confirm-market-never" }],
    }).then((answer) => {
      if (answer === "never") stopAsking(card).finally(() => evt.detail.issueRequest(true));
      else if (answer) evt.detail.issueRequest(true);
    });
  });
})();
