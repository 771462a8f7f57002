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
  // One market socket for the ticket: the chosen instrument's ticks drive the preview (no polling),
  // the open suggestions' ticks their LTP.
  function initTicket(form) {
    const fmt = OMS.fmt;
    const orderType = form.querySelector("#ticket-order-type");
    const validity = form.querySelector("#ticket-validity");
    const lots = form.querySelector("#ticket-lots");
    const qty = form.querySelector("#ticket-quantity");
    const token = form.querySelector("#ticket-instrument-token");
    const search = form.querySelector("#instrument-search");
    const results = form.querySelector("#instrument-results");
    const submitBox = form.querySelector(".ticket-submit");
    const chosenBox = form.querySelector("#ticket-instrument");
    const priceHint = form.querySelector("#price-hint");
    const sliceToggle = form.querySelector("#slice-toggle");
    const autoSlice = form.querySelector("#ticket-auto-slice");
    let chosenSymbol = search.value;
    let pendingEnter = false;
    let searching = false;
    let subscribed = new Set();

    const market = OMS.socket("/ws/market/", {
      onOpen() { subscribed = new Set(); syncSubscriptions(); },
      onMessage(msg) { if (msg.type === "tick" && msg.tick) onTick(msg.tick); },
    });
    function wantedTokens() {
      const want = new Set();
      if (token.value) want.add(Number(token.value));
      results.querySelectorAll(".typeahead-item").forEach((li) => want.add(Number(li.dataset.token)));
      return want;
    }
    function syncSubscriptions() {
      if (!market.connected) return;
      const want = wantedTokens();
      const add = [...want].filter((t) => !subscribed.has(t));
      const drop = [...subscribed].filter((t) => !want.has(t));
      if (add.length) market.send({ action: "subscribe", tokens: add });
      if (drop.length) market.send({ action: "unsubscribe", tokens: drop });
      subscribed = want;
    }

    function onTick(t) {
      results.querySelectorAll(`.typeahead-item[data-token="${t.instrument_token}"]`).forEach((li) => {
        const cell = li.querySelector("[data-field=ltp]");
        if (cell) cell.textContent = fmt.price(t.last_price, li.dataset.tick);
      });
      const box = document.querySelector("#ticket-preview [data-testid=preview]");
      if (!box || String(t.instrument_token) !== box.dataset.token) return;
      const tick = box.dataset.tick;
      const set = (field, text) => { const el = box.querySelector(`[data-field="${field}"]`); if (el) el.textContent = text; };
      const bid = t.depth && t.depth.buy.length ? t.depth.buy[0].price : null;
      const ask = t.depth && t.depth.sell.length ? t.depth.sell[0].price : null;
      set("ltp", fmt.price(t.last_price, tick));
      set("bid", fmt.price(bid, tick));
      set("ask", fmt.price(ask, tick));
      if (bid !== null && ask !== null) {
        const spread = Number(ask) - Number(bid);
        set("spread", fmt.price(spread.toFixed(6), tick));
        set("spread-pct", `(${fmt.number(((spread / ((Number(ask) + Number(bid)) / 2)) * 100).toFixed(6))}%)`);
      }
      const lotSize = Number(box.dataset.lotSize), quantity = Number(box.dataset.quantity);
      const ltp = Number(t.last_price);
      set("lot-value", fmt.inr((ltp * lotSize).toFixed(4)));
      const ref = box.dataset.limitPrice ? Number(box.dataset.limitPrice) : ltp;
      set("order-value", fmt.inr((ref * quantity).toFixed(4)));
      set("time", fmt.ist(t.timestamp, "%H:%M:%S"));
      // The costs & margin card recomputes on the chosen instrument's ticks (it throttles to one in 5 s).
      document.body.dispatchEvent(new CustomEvent("ticket-tick", { bubbles: true }));
    }

    function show(selector, on) {
      form.querySelectorAll(selector).forEach((el) => {
        el.classList.toggle("hidden-field", !on);
        el.querySelectorAll("input").forEach((i) => { i.disabled = !on; });
      });
    }
    const execution = form.querySelector("#ticket-execution");
    const submitButton = form.querySelector("#ticket-submit");
    function syncFields() {
      const t = orderType.value;
      const algo = execution ? execution.value : "REGULAR";
      show(".needs-twap", algo === "TWAP");
      show(".needs-iceberg", algo === "ICEBERG");
      if (submitButton) {
        submitButton.textContent = algo === "TWAP" ? "Start TWAP" : algo === "ICEBERG" ? "Start iceberg" : "Place order";
      }
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
      qty.textContent = isFinite(lotSize) && n > 0 ? fmt.number(n * lotSize, 0) : "–";
    }
    form.addEventListener("change", syncFields);
    form.addEventListener("input", (e) => { if (e.target === lots) syncFields(); });

    // A price typed with a letter is not dropped silently: the field says so (and the server refuses it too).
    const DECIMAL = /^\d*(\.\d*)?$/;
    function checkDecimal(input) {
      const v = input.value.trim();
      const ok = DECIMAL.test(v);
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      input.classList.toggle("invalid", !ok);
      const bad = form.querySelectorAll("input[data-decimal].invalid:not(:disabled)");
      if (!priceHint) return;
      if (bad.length) {
        const first = bad[0];
        const label = (first.closest("label") && first.closest("label").firstChild.textContent.trim()) || "Price";
        const stray = (first.value.match(/[^\d.]/) || ["."])[0];
        priceHint.textContent = `${label} takes digits and one decimal point (e.g. 25999.40): “${stray}” is not allowed.`;
        priceHint.hidden = false;
      } else { priceHint.hidden = true; priceHint.textContent = ""; }
    }
    form.querySelectorAll("input[data-decimal]").forEach((input) => {
      input.addEventListener("input", () => checkDecimal(input));
      checkDecimal(input);
    });

    function setChosen(html) {
      chosenBox.innerHTML = html;
      chosenBox.classList.toggle("chosen", !!token.value);
      syncFields();
    }
    function clearChoice() {
      if (!token.value) return;
      token.value = "";
      chosenSymbol = "";
      setChosen("No instrument chosen.");
      document.body.dispatchEvent(new CustomEvent("instrument-chosen", { bubbles: true }));
      syncSubscriptions();
    }
    // Choosing is complete before anything else happens: token, search text, the chosen-instrument line
    // (fetched), the preview (refreshed at once) and the tick subscription.
    function choose(li) {
      token.value = li.dataset.token;
      search.value = li.dataset.symbol;
      chosenSymbol = li.dataset.symbol;
      closeResults();
      const url = `${search.dataset.instrumentUrl}?instrument_token=${encodeURIComponent(li.dataset.token)}`;
      setChosen(`<strong data-testid="chosen-instrument">${li.querySelector(".typeahead-sym").textContent}</strong>`);
      fetchPartial(url).then((html) => { if (html && token.value === li.dataset.token) setChosen(html); });
      document.body.dispatchEvent(new CustomEvent("instrument-chosen", { bubbles: true }));
      syncSubscriptions();
    }
    function items() { return Array.from(results.querySelectorAll(".typeahead-item")); }
    function closeResults() {
      results.innerHTML = "";
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      syncSubscriptions();
    }
    function highlight(i) {
      const list = items();
      list.forEach((el) => { el.classList.remove("active"); el.setAttribute("aria-selected", "false"); });
      if (!list.length) return;
      const el = list[(i + list.length) % list.length];
      el.classList.add("active");
      el.setAttribute("aria-selected", "true");
      search.setAttribute("aria-activedescendant", el.id);
      el.scrollIntoView({ block: "nearest" });
    }
    function move(delta) {
      const list = items();
      const i = list.findIndex((el) => el.classList.contains("active"));
      highlight(i < 0 ? (delta > 0 ? 0 : -1) : i + delta);
    }
    results.addEventListener("click", (e) => {
      const li = e.target.closest(".typeahead-item");
      if (li) { choose(li); lots.focus(); }
    });
    search.addEventListener("input", () => {
      if (search.value.trim() !== chosenSymbol) clearChoice();
    });
    search.addEventListener("htmx:beforeRequest", () => { searching = true; });
    search.addEventListener("htmx:afterRequest", () => { searching = false; });
    document.body.addEventListener("htmx:afterSwap", (e) => {
      if (e.target !== results) return;
      results.dataset.query = results.dataset.pendingQuery || "";
      const list = items();
      search.setAttribute("aria-expanded", list.length ? "true" : "false");
      if (list.length) highlight(0); // the first match is highlighted: Enter takes it
      syncSubscriptions();
      if (pendingEnter) {
        pendingEnter = false;
        const active = results.querySelector(".typeahead-item.active");
        if (active) { choose(active); lots.focus(); }
      }
    });
    search.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter") {
        // Never submits the order from the search box: Enter picks the highlighted match, or the first
        // one as soon as the results for what was typed arrive.
        e.preventDefault();
        const active = results.querySelector(".typeahead-item.active");
        const typedSinceResults = search.value.trim() && search.value.trim() !== (results.dataset.query || "");
        if (active && !searching && !typedSinceResults) { choose(active); lots.focus(); }
        else if (search.value.trim() && search.value.trim() !== chosenSymbol) {
          pendingEnter = true;
          if (!searching) window.htmx.trigger(search, "search");
        }
      } else if (e.key === "Escape") { closeResults(); }
    });
    // The results list remembers which query it answers (so a stale list is never picked by Enter).
    search.addEventListener("htmx:configRequest", (e) => { results.dataset.pendingQuery = String(e.detail.parameters.q || "").trim(); });
    document.addEventListener("click", (e) => { if (!e.target.closest(".ticket-search")) { if (items().length) closeResults(); } });

    // The preview says whether the order is above the freeze limit: offer "Split into N slices".
    document.body.addEventListener("htmx:afterSwap", (e) => {
      if (e.target.id !== "ticket-preview") return;
      const box = e.target.querySelector("[data-testid=preview]");
      const n = box ? Number(box.dataset.slices || 0) : 0;
      if (sliceToggle) {
        sliceToggle.hidden = !n;
        if (n) {
          sliceToggle.querySelector("#slice-count").textContent = String(n);
          sliceToggle.querySelector("#slice-freeze").textContent = fmt.number(box.dataset.freeze, 0);
        } else if (autoSlice) autoSlice.checked = false;
      }
    });
    // The error's "Split into N slices and place" control: tick the box and send the same ticket.
    document.addEventListener("click", (e) => {
      const button = e.target.closest("[data-oms-split]");
      if (!button || !autoSlice) return;
      autoSlice.checked = true;
      if (sliceToggle) sliceToggle.hidden = false;
      form.requestSubmit();
    });

    // The duplicate error's "Place it again": the same ticket, with the answers the refused one carried.
    document.addEventListener("click", (e) => {
      if (!e.target.closest("[data-oms-confirm-duplicate]")) return;
      const input = document.createElement("input");
      input.type = "hidden"; input.name = "confirm_duplicate"; input.value = "on";
      form.appendChild(input);
      if (form.dataset.lastOverride === "true" && OMS.execution) OMS.execution.setOverride(form, true);
      form.requestSubmit();
    });
    form.addEventListener("htmx:afterRequest", () => {
      form.querySelectorAll("input[name=confirm_duplicate]").forEach((el) => el.remove());
    });

    // A TWAP / iceberg started from the ticket: its card's progress bar follows the execution's pushes on
    // /ws/orders/ (the socket opens with the first such card).
    let executions = null;
    function followExecutions() {
      if (executions || !document.querySelector("[data-testid=ticket-execution]")) return;
      executions = OMS.socket("/ws/orders/", {
        onMessage(msg) {
          if (msg.type !== "execution" || !msg.execution) return;
          const e = msg.execution;
          document.querySelectorAll(`[data-testid=ticket-execution][data-execution-id="${e.id}"]`).forEach((card) => {
            const bar = card.querySelector('progress[data-field="progress"]');
            if (bar) { bar.value = Number(e.progress_pct); bar.setAttribute("aria-label", `Filled ${e.progress_pct}%`); }
            ["filled_quantity", "status", "status_message"].forEach((k) => {
              card.querySelectorAll(`[data-field="${k}"]`).forEach((el) => { el.textContent = e[k] == null ? "" : e[k]; });
            });
          });
        },
      });
    }
    document.body.addEventListener("htmx:afterSwap", (e) => { if (e.target.id === "ticket-result") followExecutions(); });
    followExecutions();

    // B / S pick the side when the focus is not in a text field.
    document.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || OMS.modal && OMS.modal.open) return;
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
  // Open rows follow /ws/market/ ticks (LTP, day change, P&L); a position that goes flat moves to
  // "Closed today" with its realised P&L. Rows themselves always come from the server's partial.
  function initPositions(box) {
    const fmt = OMS.fmt;
    const openBody = box.querySelector("#position-rows");
    const closedBody = box.querySelector("#closed-rows");
    let market = null;
    const openRows = () => Array.from(openBody.querySelectorAll("tr[data-section=open]"));
    const tokens = () => Array.from(new Set(openRows().map((r) => Number(r.dataset.token))));

    function recompute(row) {
      if (row.dataset.section !== "open") return;
      const qty = Number(row.dataset.qty), avg = Number(row.dataset.avg), realised = Number(row.dataset.realised);
      const ltp = Number(row.dataset.ltp), close = Number(row.dataset.close);
      if (!(ltp > 0)) return;
      const pnl = realised + (ltp - avg) * qty;
      const p = row.querySelector("[data-field=pnl]");
      if (p) { fmt.setSigned(p, pnl.toFixed(4), fmt.pnl(pnl.toFixed(4))); p.dataset.value = pnl.toFixed(4); }
      const day = row.querySelector("[data-field=day]");
      if (day && close > 0) {
        // As orders.ui.day_change: carried quantity from the previous close, today's from the average.
        const overnight = Number(row.dataset.overnight || 0);
        let carried = overnight && (overnight > 0) === (qty > 0) ? overnight : 0;
        carried = qty < 0 ? Math.max(carried, qty) : Math.min(carried, qty);
        const change = (ltp - close) * carried + (ltp - avg) * (qty - carried);
        day.textContent = `${fmt.pnl(change.toFixed(4))} `;
        const pct = document.createElement("span");
        pct.className = "muted pct";
        pct.title = "The contract's change from the previous close";
        pct.textContent = fmt.pct((((ltp - close) / close) * 100).toFixed(6));
        day.appendChild(pct);
        day.classList.remove("pos", "neg");
        const cls = fmt.pnlClass(change.toFixed(4));
        if (cls) day.classList.add(cls);
      }
    }
    function total() {
      let sum = 0;
      box.querySelectorAll("tr[data-position-id] [data-field=pnl]").forEach((el) => { sum += Number(el.dataset.value || 0); });
      const t = document.getElementById("pnl-total");
      if (t) fmt.setSigned(t, sum.toFixed(4), fmt.pnl(sum.toFixed(4)));
    }
    function sections() {
      const nOpen = openRows().length, nClosed = closedBody ? closedBody.querySelectorAll("tr").length : 0;
      const e1 = box.querySelector("[data-testid=positions-empty]"), e2 = box.querySelector("[data-testid=closed-empty]");
      if (e1) e1.hidden = nOpen > 0;
      if (e2) e2.hidden = nClosed > 0;
      const c1 = document.getElementById("open-count"), c2 = document.getElementById("closed-count");
      if (c1) c1.textContent = String(nOpen);
      if (c2) c2.textContent = String(nClosed);
    }
    function recomputeAll() { openRows().forEach(recompute); total(); sections(); }
    function subscribe() { if (market) market.send({ action: "subscribe", tokens: tokens() }); }

    market = OMS.socket("/ws/market/", {
      onOpen: subscribe,
      onMessage(msg) {
        if (msg.type !== "tick" || !msg.tick) return;
        const t = msg.tick;
        openBody.querySelectorAll(`tr[data-token="${t.instrument_token}"][data-section=open]`).forEach((row) => {
          row.dataset.ltp = t.last_price;
          const cell = row.querySelector("[data-field=ltp]");
          if (cell) cell.textContent = fmt.price(t.last_price, row.dataset.tick);
          recompute(row);
        });
        total();
      },
    });
    // A position row is placed in its section (open / closed today) by what the server rendered.
    function placeRow(id) {
      const rowId = `position-row-${id}`;
      return fetchPartial(rowUrl(box.dataset.rowUrl, id)).then((html) => {
        const existing = document.getElementById(rowId);
        const row = html ? rowFromHtml(html) : null;
        if (!row) { if (existing) existing.remove(); return; }
        row.classList.add("row-updated");
        const target = row.dataset.section === "closed" ? closedBody : openBody;
        if (existing && existing.parentElement === target) existing.replaceWith(row);
        else { if (existing) existing.remove(); target.prepend(row); }
        if (window.htmx) window.htmx.process(row);
      }).catch((e) => console.error(e));
    }
    OMS.socket("/ws/orders/", {
      onMessage(msg) {
        if (msg.type !== "position" || !msg.position) return;
        placeRow(msg.position.id).then(() => { recomputeAll(); subscribe(); });
      },
    });
    // After an exit, the returned row may belong to the other section.
    document.addEventListener("htmx:afterSwap", () => {
      box.querySelectorAll("#position-rows tr[data-section=closed]").forEach((r) => { if (closedBody) closedBody.prepend(r); });
      recomputeAll();
    });
    recomputeAll();
  }

  // The exit modal shows the P&L at the moment it opens (the row's latest tick), not at page render.
  OMS.liveConfirmRows = function (elt, opts) {
    const row = elt.closest("tr[data-section=open]");
    if (!opts.live || !row) return opts;
    const ltp = Number(row.dataset.ltp), qty = Number(row.dataset.qty), avg = Number(row.dataset.avg);
    const realised = Number(row.dataset.realised || 0);
    if (!(ltp > 0)) return opts;
    const pnl = (realised + (ltp - avg) * qty).toFixed(4);
    const rows = opts.rows.map(([label, value, cls]) => {
      if (label === opts.live.ltp) return [label, OMS.fmt.price(ltp, row.dataset.tick), cls];
      if (label === opts.live.pnl) return [label, OMS.fmt.pnl(pnl), OMS.fmt.pnlClass(pnl)];
      return [label, value, cls];
    });
    return Object.assign({}, opts, { rows });
  };

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
