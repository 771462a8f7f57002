// Alerts in the browser: unread badge, toasts for CRITICAL/URGENT, a modal for alerts that ask
// for an answer, and the live alert center list; all over /ws/alerts/ with replay on reconnect.
(function () {
  "use strict";
  const bell = document.querySelector("[data-testid=alert-bell]");
  if (!bell || !window.OMS || window.OMS.alertsStarted) return;
  window.OMS.alertsStarted = true;
  const badge = bell.querySelector("[data-testid=alert-badge]");
  const seen = new Set();
  // What this page is in sync with: the highest alert id it knows (replay asks for newer ones) and a
  // server-time cursor (replay also re-sends alerts read/answered/expired after it). The rendered
  // page gives both, so even the first connect catches what happened between render and connect.
  let lastId = bell.dataset.syncedAt ? Number(bell.dataset.lastId || 0) : null;
  let syncedAt = bell.dataset.syncedAt || null;
  function advanceCursor(time) {
    if (time && (!syncedAt || Date.parse(time) > Date.parse(syncedAt))) syncedAt = time;
  }

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }
  function urlFor(attr, id) { return bell.dataset[attr].replace("/0/", `/${id}/`); }

  function setBadge(n) {
    badge.textContent = String(n);
    badge.dataset.count = String(n);
    badge.classList.toggle("empty", n <= 0);
    bell.setAttribute("aria-label", `Alerts, ${n} unread`);
  }
  function refreshBadge() {
    fetch(bell.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => { if (body && typeof body.count === "number") setBadge(body.count); })
      .catch(() => {});
  }

  function liveList() {
    const list = document.getElementById("alert-list");
    return list && list.dataset.live === "1" ? list : null;
  }
  // Rows are fetched with fetch(), not htmx.ajax: htmx queues requests from one source element and
  // keeps only the last queued one, which would drop rows when a replay refreshes several at once.
  const rowRequests = new Map(); // alert id -> sequence number of its latest row request
  let rowSeq = 0;
  function loadRow(alert, replaceExisting) {
    const list = liveList();
    if (!list) return;
    if (!document.getElementById(`alert-${alert.id}`) && replaceExisting) return;
    const seq = ++rowSeq;
    rowRequests.set(alert.id, seq);
    fetch(urlFor("rowUrl", alert.id), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => {
        if (!html || rowRequests.get(alert.id) !== seq) return; // a newer request for this row won
        rowRequests.delete(alert.id);
        const tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        const row = tpl.content.firstElementChild;
        if (!row) return;
        const current = document.getElementById(`alert-${alert.id}`);
        if (current) current.replaceWith(row);
        else if (replaceExisting) return;
        else {
          const empty = list.querySelector(".alert-empty");
          if (empty) empty.remove();
          // newest first: before the first row with a smaller id
          const after = Array.from(list.querySelectorAll("[data-testid=alert-item]")).find((el) => Number(el.dataset.alertId) < alert.id);
          list.insertBefore(row, after || null);
        }
        if (window.htmx) window.htmx.process(row);
      })
      .catch(() => {});
  }

  function closeModal() { const root = document.getElementById("modal-root"); if (root) root.innerHTML = ""; }
  function showModal(alert) {
    const root = document.getElementById("modal-root");
    if (!root || !alert.actions || !alert.actions.length || alert.status !== "ACTIVE") return;
    root.innerHTML = "";
    const back = document.createElement("div");
    back.className = "modal-backdrop alert-modal-backdrop";
    const box = document.createElement("div");
    box.className = `modal alert-modal level-${alert.level.toLowerCase()}`;
    box.setAttribute("role", "dialog");
    box.dataset.testid = "alert-modal";
    box.dataset.alertId = alert.id;
    const h = document.createElement("h2"); h.textContent = alert.title; box.appendChild(h);
    const p = document.createElement("p"); p.textContent = alert.message; box.appendChild(p);
    const err = document.createElement("p"); err.className = "error"; box.appendChild(err);
    const row = document.createElement("div"); row.className = "alert-modal-actions";
    alert.actions.forEach((action) => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = action; b.dataset.testid = "alert-modal-action"; b.dataset.action = action;
      b.addEventListener("click", () => respond(alert.id, action, err));
      row.appendChild(b);
    });
    const later = document.createElement("button");
    later.type = "button"; later.className = "link"; later.textContent = "Later"; later.addEventListener("click", closeModal);
    row.appendChild(later);
    box.appendChild(row);
    back.appendChild(box);
    root.appendChild(back);
  }
  function respond(id, action, errEl) {
    const body = new URLSearchParams({ action });
    fetch(urlFor("respondUrl", id), {
      method: "POST", credentials: "same-origin", body,
      headers: Object.assign({ "HX-Request": "true" }, csrfHeaders()),
    }).then((r) => r.text().then((html) => {
      if (!r.ok || html.includes('data-testid="alert-error"')) {
        // The row's error component, in trader language (title, sentence, suggestion).
        const tpl = document.createElement("template");
        tpl.innerHTML = html;
        const found = tpl.content.querySelector("[data-testid=alert-error]");
        const text = found ? found.textContent.replace(/\s+/g, " ").trim() : "";
        if (errEl) errEl.textContent = text || "Could not answer the alert. Try again.";
        return;
      }
      closeModal();
    })).catch(() => { if (errEl) errEl.textContent = "Network error; try again."; });
  }

  function onAlert(alert, isReplay) {
    if (seen.has(alert.id)) return;
    seen.add(alert.id);
    if (lastId === null || alert.id > lastId) lastId = alert.id;
    refreshBadge();
    loadRow(alert, false);
    advanceCursor(alert.updated_at);
    // No toast storm after a reconnect (the badge and list catch up), but a question still waiting
    // for an answer opens its modal.
    if (!isReplay && (alert.level === "CRITICAL" || alert.level === "URGENT")) {
      window.OMS.toast(`${alert.title}: ${alert.message}`, alert.level, alert.level === "URGENT" ? 0 : 10000);
    }
    showModal(alert);
  }

  const modalOpenFor = () => { const m = document.querySelector("[data-testid=alert-modal]"); return m ? Number(m.dataset.alertId) : null; };

  window.OMS.alertsSocket = window.OMS.socket("/ws/alerts/", {
    onMessage(msg) {
      switch (msg.type) {
        case "hello":
          if (lastId === null) { lastId = msg.last_id; syncedAt = msg.server_time; } // nothing rendered to resync
          else window.OMS.alertsSocket.send({ action: "replay", since_id: lastId, changed_since: syncedAt });
          break;
        case "alert": onAlert(msg.alert, !!msg.replay); break;
        case "alert.updated":
          advanceCursor(msg.alert.updated_at);
          if (!msg.replay) refreshBadge(); // a replay refreshes the badge once, at replay.done
          loadRow(msg.alert, true);
          if (modalOpenFor() === msg.alert.id && msg.alert.status !== "ACTIVE") closeModal();
          break;
        case "alerts.read_all":
          setBadge(0);
          document.querySelectorAll("[data-testid=alert-item].unread").forEach((row) => {
            row.classList.remove("unread");
            const button = row.querySelector("[data-testid=alert-mark-read]");
            if (button) button.remove();
          });
          break;
        case "replay.done":
          if (msg.last_id > (lastId || 0)) lastId = msg.last_id;
          advanceCursor(msg.server_time);
          refreshBadge();
          break;
      }
    },
  });
})();
