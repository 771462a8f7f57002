// Orders UI: the ticket's behaviour, and live tables fed by /ws/orders/ (and /ws/market/ ticks).
(function () {
  "use strict";
  const OMS = (window.OMS = window.OMS || {});

  function fetchPartial(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then((r) => {
      if (r.status === 204 || r.status === 404) return "";
      if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
      return r.text();
    });
  }

  function rowFromHtml(html) {
    const tbody = document.createElement("tbody");
    tbody.innerHTML = html.trim();
    return tbody.querySelector("tr");
  }

  // Replace the row with id `rowId` by the server's fresh partial, or insert it at the top.
  function refreshRow({ url, rowId, tbody, insert = true }) {
    return fetchPartial(url).then((html) => {
      const existing = document.getElementById(rowId);
      const row = html ? rowFromHtml(html) : null;
      if (!row) { if (existing) existing.remove(); return; }
      row.classList.add("row-updated");
      if (existing) existing.replaceWith(row);
      else if (insert && tbody) tbody.prepend(row);
      else return;
      if (window.htmx) window.htmx.process(row);
      const empty = tbody && tbody.closest("[data-live]") && tbody.closest("[data-live]").querySelector(".empty");
      if (empty) empty.remove();
      document.dispatchEvent(new CustomEvent("oms:row-updated", { detail: { rowId } }));
    }).catch((e) => console.error(e));
  }

  function rowUrl(template, id, params) {
    // Templates are reversed with id 0, e.g. /orders/0/row/.
    const url = new URL(template.replace("/0/", `/${encodeURIComponent(id)}/`), window.location.origin);
    Object.entries(params || {}).forEach(([k, v]) => { if (v) url.searchParams.set(k, v); });
    return url.toString();
  }

  // ---- order ticket ------------------------------------------------------------------------
  function initTicket(form) {
    const orderType = form.querySelector("#ticket-order-type");
    const validity = form.querySelector("#ticket-validity");
    const lots = form.querySelector("#ticket-lots");
    const qty = form.querySelector("#ticket-quantity");
    const token = form.querySelector("#ticket-instrument-token");
    const search = form.querySelector("#instrument-search");
    const results = form.querySelector("#instrument-results");
    const submitBox = form.querySelector(".ticket-submit");

    function show(selector, on) {
      form.querySelectorAll(selector).forEach((el) => {
        el.classList.toggle("hidden-field", !on);
        el.querySelectorAll("input").forEach((i) => { i.disabled = !on; });
      });
    }
    function syncFields() {
      const t = orderType.value;
      show(".needs-price", t === "LIMIT" || t === "SL");
      show(".needs-trigger", t === "SL" || t === "SL-M");
      show(".needs-protection", t === "MARKET" || t === "SL-M");
      show(".needs-ttl", validity.value === "TTL");
      const side = (form.querySelector("input[name=side]:checked") || {}).value || "";
      submitBox.classList.toggle("side-buy", side === "BUY");
      submitBox.classList.toggle("side-sell", side === "SELL");
      const lotEl = document.getElementById("ticket-lot-size");
      const lotSize = lotEl ? Number(lotEl.dataset.lotSize) : NaN;
      const n = Number(lots.value);
      qty.textContent = isFinite(lotSize) && n > 0 ? String(n * lotSize) : "–";
    }
    form.addEventListener("change", syncFields);
    form.addEventListener("input", (e) => { if (e.target === lots) syncFields(); });
    document.body.addEventListener("htmx:afterSwap", (e) => { if (e.target.id === "ticket-instrument") syncFields(); });

    function choose(li) {
      token.value = li.dataset.token;
      search.value = li.dataset.symbol;
      results.innerHTML = "";
      if (window.htmx) window.htmx.trigger(li, "choose");
      document.body.dispatchEvent(new CustomEvent("instrument-chosen", { bubbles: true }));
    }
    results.addEventListener("click", (e) => {
      const li = e.target.closest(".typeahead-item");
      if (li) choose(li);
    });
    function move(delta) {
      const items = Array.from(results.querySelectorAll(".typeahead-item"));
      if (!items.length) return;
      let i = items.findIndex((el) => el.classList.contains("active"));
      items.forEach((el) => el.classList.remove("active"));
      i = (i + delta + items.length) % items.length;
      items[i].classList.add("active");
      items[i].scrollIntoView({ block: "nearest" });
    }
    search.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        const active = results.querySelector(".typeahead-item.active") || results.querySelector(".typeahead-item");
        if (active) { e.preventDefault(); choose(active); lots.focus(); }
      } else if (e.key === "Escape") { results.innerHTML = ""; }
    });
    results.addEventListener("keydown", (e) => {
      const li = e.target.closest(".typeahead-item");
      if (li && e.key === "Enter") { e.preventDefault(); choose(li); lots.focus(); }
    });
    // B / S pick the side when the focus is not in a text field.
    document.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const tag = (e.target.tagName || "").toLowerCase();
      if (tag === "input" && !["radio", "checkbox"].includes(e.target.type)) return;
      if (tag === "select" || tag === "textarea") return;
      const key = e.key.toLowerCase();
      const side = key === "b" ? "BUY" : key === "s" ? "SELL" : null;
      if (!side) return;
      const radio = form.querySelector(`input[name=side][value=${side}]`);
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    syncFields();
  }

  // ---- order book --------------------------------------------------------------------------
  function initOrderBook(box) {
    const tbody = box.querySelector("#order-rows");
    OMS.socket("/ws/orders/", {
      onMessage(msg) {
        if (msg.type !== "order" || !msg.order) return;
        const id = msg.order.id;
        const filter = box.dataset.statusFilter || "";
        const rowId = `order-row-${id}`;
        const existing = document.getElementById(rowId);
        // Only this account's orders belong in the table; the row endpoint answers 204 otherwise.
        refreshRow({ url: rowUrl(box.dataset.rowUrl, id, { status: filter }), rowId, tbody, insert: !existing });
      },
    });
  }

  // ---- order detail ------------------------------------------------------------------------
  function initOrderDetail(box) {
    const id = String(box.dataset.orderId);
    OMS.socket("/ws/orders/", {
      onMessage(msg) {
        const order = msg.order || (msg.trade && { id: msg.trade.order_id || msg.trade.order });
        if (!order || String(order.id) !== id) return;
        fetchPartial(box.dataset.refreshUrl).then((html) => {
          if (!html) return;
          box.innerHTML = html;
          if (window.htmx) window.htmx.process(box);
        });
      },
    });
  }

  // ---- positions ---------------------------------------------------------------------------
  function initPositions(box) {
    const tbody = box.querySelector("#position-rows");
    let market = null;
    const tokens = () => Array.from(new Set(Array.from(tbody.querySelectorAll("tr[data-token]")).map((r) => Number(r.dataset.token))));

    function recompute(row) {
      const qty = Number(row.dataset.qty), avg = Number(row.dataset.avg), realised = Number(row.dataset.realised);
      const ltpCell = row.querySelector("[data-field=ltp]");
      const ltp = Number(row.dataset.ltp || (ltpCell && ltpCell.textContent.replace(/,/g, "")));
      const unrealised = qty && isFinite(ltp) && ltp > 0 ? (ltp - avg) * qty : 0;
      const pnl = realised + unrealised;
      const u = row.querySelector("[data-field=unrealised]"), p = row.querySelector("[data-field=pnl]");
      if (u) { u.textContent = OMS.formatINR(unrealised); u.className = `num ${unrealised > 0 ? "pos" : unrealised < 0 ? "neg" : ""}`; }
      if (p) { p.textContent = OMS.formatINR(pnl); p.className = `num ${pnl > 0 ? "pos" : pnl < 0 ? "neg" : ""}`; p.dataset.value = String(pnl); }
    }
    function total() {
      let sum = 0;
      tbody.querySelectorAll("[data-field=pnl]").forEach((el) => { sum += Number(el.dataset.value || 0); });
      const t = document.getElementById("pnl-total");
      if (t) { t.textContent = OMS.formatINR(sum); t.className = `num pnl-total ${sum > 0 ? "pos" : sum < 0 ? "neg" : ""}`; }
    }
    function recomputeAll() { tbody.querySelectorAll("tr[data-token]").forEach(recompute); total(); }
    function subscribe() { if (market) market.send({ action: "subscribe", tokens: tokens() }); }

    market = OMS.socket("/ws/market/", {
      onOpen: subscribe,
      onMessage(msg) {
        if (msg.type !== "tick" || !msg.tick) return;
        const t = msg.tick;
        tbody.querySelectorAll(`tr[data-token="${t.instrument_token}"]`).forEach((row) => {
          row.dataset.ltp = t.last_price;
          const cell = row.querySelector("[data-field=ltp]");
          if (cell) cell.textContent = OMS.formatINR(t.last_price);
          recompute(row);
        });
        total();
      },
    });
    OMS.socket("/ws/orders/", {
      onMessage(msg) {
        if (msg.type !== "position" || !msg.position) return;
        const id = msg.position.id;
        const rowId = `position-row-${id}`;
        const known = !!document.getElementById(rowId);
        refreshRow({ url: rowUrl(box.dataset.rowUrl, id), rowId, tbody, insert: !known }).then(() => {
          recomputeAll();
          if (!known) subscribe();
        });
      },
    });
    document.addEventListener("htmx:afterSwap", recomputeAll);
    recomputeAll();
  }

  function init() {
    const form = document.getElementById("order-ticket-form");
    if (form) initTicket(form);
    const live = document.querySelector("[data-live]");
    if (!live) return;
    if (live.dataset.live === "orders") initOrderBook(live);
    else if (live.dataset.live === "positions") initPositions(live);
    else if (live.dataset.live === "order-detail") initOrderDetail(live);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
