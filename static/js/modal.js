// OMS.modal: the product's one modal, used for confirmations (exit a position, cancel an order) in
// place of the browser's confirm(). Markup: templates/components/_modal.html (a <template> in base.html).
//
//   OMS.modal.confirm({ title, rows: [[label, value, cssClass]], note, confirm: "Exit", cancel: "Keep",
//                       tone: "danger" | "primary" }) -> Promise<boolean>
//   (extra: [{label, value, testid}] adds answers: the promise then resolves with the value clicked)
//
// htmx buttons opt in with data-confirm='{...same object...}': the request is issued only after
// "Confirm". A row value given as {"live": "pnl"|"ltp", ...} is filled in when the modal opens (from the
// button's data-live-* hooks, see orders.js), so an exit shows the P&L at the moment of asking.
(function () {
  "use strict";
  const OMS = (window.OMS = window.OMS || {});
  let current = null;

  function close(result) {
    if (!current) return;
    const { node, resolve, opener } = current;
    current = null;
    node.remove();
    document.removeEventListener("keydown", onKey, true);
    if (opener && document.contains(opener)) opener.focus();
    resolve(result);
  }
  function onKey(e) {
    if (!current) return;
    if (e.key === "Escape") { e.preventDefault(); close(false); }
    else if (e.key === "Tab") {
      const focusable = Array.from(current.node.querySelectorAll("button, a[href], input, select"));
      const i = focusable.indexOf(document.activeElement);
      const next = e.shiftKey ? (i <= 0 ? focusable.length - 1 : i - 1) : (i + 1) % focusable.length;
      e.preventDefault();
      focusable[next].focus();
    }
  }

  function confirm(opts) {
    const tpl = document.getElementById("oms-modal-template");
    if (!tpl) return Promise.resolve(window.confirm(opts.title || "Confirm?"));
    if (current) close(false);
    const node = tpl.content.firstElementChild.cloneNode(true);
    node.querySelector(".modal-title").textContent = opts.title || "Confirm";
    const rows = node.querySelector(".modal-rows");
    (opts.rows || []).forEach(([label, value, cls]) => {
      const dt = document.createElement("dt"); dt.textContent = label;
      const dd = document.createElement("dd"); dd.textContent = value == null ? OMS.fmt.DASH : String(value);
      if (cls) dd.className = cls;
      dd.dataset.label = label;
      rows.append(dt, dd);
    });
    if (!rows.children.length) rows.remove();
    const note = node.querySelector(".modal-note");
    if (opts.note) note.textContent = opts.note; else note.remove();
    const ok = node.querySelector(".modal-ok");
    ok.textContent = opts.confirm || "Confirm";
    if (opts.tone === "danger") { ok.classList.remove("primary"); ok.classList.add("danger-solid"); }
    const cancel = node.querySelector(".modal-cancel");
    cancel.textContent = opts.cancel || "Keep";
    if (opts.okTestid) ok.dataset.testid = opts.okTestid;
    if (opts.cancelTestid) cancel.dataset.testid = opts.cancelTestid;
    // More answers than yes/no: opts.extra = [{label, value, testid}] (buttons before "ok"); the promise
    // resolves with the chosen button's value.
    const extras = (opts.extra || []).map((b) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.label;
      if (b.testid) btn.dataset.testid = b.testid;
      if (b.className) btn.className = b.className;
      ok.before(btn);
      return [btn, b.value];
    });
    if (opts.testid) node.dataset.testid = opts.testid;
    const root = document.getElementById("modal-root") || document.body;
    root.appendChild(node);
    return new Promise((resolve) => {
      current = { node, resolve, opener: document.activeElement };
      ok.addEventListener("click", () => close(true));
      cancel.addEventListener("click", () => close(false));
      extras.forEach(([btn, value]) => btn.addEventListener("click", () => close(value)));
      node.addEventListener("click", (e) => { if (e.target === node) close(false); });
      document.addEventListener("keydown", onKey, true);
      ok.focus();
    });
  }

  OMS.modal = { confirm, close: () => close(false), get open() { return !!current; } };

  // htmx: <button hx-post=... data-confirm='{...}'> asks in the modal, then sends.
  document.addEventListener("htmx:confirm", (evt) => {
    const elt = evt.detail.elt;
    const spec = elt && elt.getAttribute && elt.getAttribute("data-confirm");
    if (!spec) return;
    evt.preventDefault();
    let opts;
    try { opts = JSON.parse(spec); } catch (e) { opts = { title: spec }; }
    if (typeof OMS.liveConfirmRows === "function") opts = OMS.liveConfirmRows(elt, opts);
    confirm(opts).then((yes) => { if (yes) evt.detail.issueRequest(true); });
  });
})();

// Server-rendered dialogs (modify, approval) close with a [data-oms-close-modal] button or Escape.
document.addEventListener("click", (e) => {
  if (!e.target.closest("[data-oms-close-modal]")) return;
  const root = document.getElementById("modal-root");
  if (root) root.innerHTML = "";
});
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || (window.OMS.modal && window.OMS.modal.open)) return;
  const root = document.getElementById("modal-root");
  if (root && root.querySelector("[data-testid=modify-modal]")) root.innerHTML = "";
});
