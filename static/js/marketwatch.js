// Market watch: live LTP/bid/ask/volume/OI per row and 5-level depth of the selected row over /ws/market/.
(function () {
  "use strict";
  const body = document.getElementById("watch-body");
  if (!body) return;
  const status = document.getElementById("feed-status");
  const panel = document.getElementById("depth-panel");
  let selected = null;
  let selectedTick = null;
  let subscribed = new Set();
  const F = OMS.fmt; // the house formatter (format.js), same output as the server's oms_format filters
  const int = (v) => F.number(v, 0);

  function rowTokens() {
    return Array.from(body.querySelectorAll("tr[data-token]")).map((tr) => Number(tr.dataset.token));
  }

  function sync(sock) {
    const want = new Set(rowTokens());
    const add = [...want].filter((t) => !subscribed.has(t));
    const drop = [...subscribed].filter((t) => !want.has(t));
    if (add.length) sock.send({ action: "subscribe", tokens: add });
    if (drop.length) sock.send({ action: "unsubscribe", tokens: drop });
    subscribed = want;
    if (selected && !want.has(selected)) { selected = null; panel.hidden = true; }
  }

  function setCell(tr, field, text, dir) {
    const td = tr.querySelector(`[data-field="${field}"]`);
    if (!td || td.textContent === text) return;
    td.textContent = text;
    if (dir) { td.classList.remove("flash-up", "flash-down"); void td.offsetWidth; td.classList.add(dir > 0 ? "flash-up" : "flash-down"); }
  }

  function onTick(t) {
    const tr = body.querySelector(`tr[data-token="${t.instrument_token}"]`);
    const fmt = (v) => F.price(v, tr ? tr.dataset.tick : selectedTick);
    if (tr) {
      const ltpCell = tr.querySelector('[data-field="ltp"]');
      const prev = ltpCell ? Number(ltpCell.dataset.raw) : NaN;
      const ltp = Number(t.last_price);
      setCell(tr, "ltp", fmt(t.last_price), isFinite(prev) && ltp !== prev ? ltp - prev : 0);
      if (ltpCell) ltpCell.dataset.raw = t.last_price;
      const close = Number(t.ohlc.close);
      const chgCell = tr.querySelector('[data-field="chg"]');
      if (close && chgCell) {
        const pct = (((ltp - close) / close) * 100).toFixed(6);
        F.setSigned(chgCell, pct, F.pct(pct));
      }
      setCell(tr, "bid", t.depth.buy.length ? fmt(t.depth.buy[0].price) : "–");
      setCell(tr, "ask", t.depth.sell.length ? fmt(t.depth.sell[0].price) : "–");
      setCell(tr, "volume", int(t.volume));
      setCell(tr, "oi", int(t.oi));
    }
    if (selected === t.instrument_token) renderDepth(t, fmt);
  }

  function renderDepth(t, fmt) {
    const q = (id) => panel.querySelector(`[data-testid="${id}"]`);
    q("depth-ltp").textContent = fmt(t.last_price);
    let bidTotal = 0, askTotal = 0;
    for (let i = 0; i < 5; i++) {
      const b = t.depth.buy[i], a = t.depth.sell[i];
      q(`depth-bid-orders-${i}`).textContent = b ? int(b.orders) : "";
      q(`depth-bid-qty-${i}`).textContent = b ? int(b.quantity) : "";
      q(`depth-bid-price-${i}`).textContent = b ? fmt(b.price) : "";
      q(`depth-ask-price-${i}`).textContent = a ? fmt(a.price) : "";
      q(`depth-ask-qty-${i}`).textContent = a ? int(a.quantity) : "";
      q(`depth-ask-orders-${i}`).textContent = a ? int(a.orders) : "";
      if (b) bidTotal += b.quantity;
      if (a) askTotal += a.quantity;
    }
    q("depth-bid-total").textContent = int(bidTotal);
    q("depth-ask-total").textContent = int(askTotal);
    document.getElementById("depth-open").textContent = fmt(t.ohlc.open);
    document.getElementById("depth-high").textContent = fmt(t.ohlc.high);
    document.getElementById("depth-low").textContent = fmt(t.ohlc.low);
    document.getElementById("depth-close").textContent = fmt(t.ohlc.close);
    document.getElementById("depth-time").textContent = F.ist(t.timestamp, "%H:%M:%S");
  }

  const sock = OMS.socket("/ws/market/", {
    onOpen: (s) => { subscribed = new Set(); status.textContent = "live"; sync(s); },
    onClose: () => { status.textContent = "reconnecting…"; },
    onMessage: (msg) => {
      if (msg.type === "tick") onTick(msg.tick);
      else if (msg.type === "error") OMS.toast(msg.error.message, "WARNING"); // the server's sentence, never its code
    },
  });

  function select(tr) {
    body.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
    tr.classList.add("selected");
    selected = Number(tr.dataset.token);
    selectedTick = tr.dataset.tick;
    panel.hidden = false;
    document.getElementById("depth-symbol").textContent = tr.dataset.symbol;
    // Ask for a fresh snapshot right away (re-subscribing answers with the current tick).
    sock.send({ action: "unsubscribe", tokens: [selected] });
    sock.send({ action: "subscribe", tokens: [selected] });
  }

  body.addEventListener("click", (ev) => {
    if (ev.target.closest("button, a")) return;
    const tr = ev.target.closest("tr[data-token]");
    if (tr) select(tr);
  });
  body.addEventListener("keydown", (ev) => {
    const tr = ev.target.closest("tr[data-token]");
    if (tr && ev.key === "Enter") select(tr);
  });
  document.body.addEventListener("htmx:afterSwap", (ev) => {
    if (ev.detail.target === body) {
      sync(sock);
      const results = document.getElementById("mw-results");
      if (results) results.innerHTML = "";
      if (selected) {
        const tr = body.querySelector(`tr[data-token="${selected}"]`);
        if (tr) tr.classList.add("selected");
      }
    }
  });
})();
