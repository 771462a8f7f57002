// Shared browser helpers: a WebSocket that reconnects by itself, and toasts. Numbers and times are
// formatted by OMS.fmt (format.js), confirmations by OMS.modal (modal.js).
(function () {
  "use strict";
  const OMS = (window.OMS = window.OMS || {});

  // Open ws(s)://host/path, call onMessage(obj) for each JSON frame, reconnect with backoff.
  // onOpen(socket) runs after every (re)connect, e.g. to resubscribe or ask for missed items.
  OMS.socket = function (path, { onMessage, onOpen, onClose } = {}) {
    const proto = window.location.protocol === "https:" ? "wss" : "ws";
    let delay = 500;
    let ws = null;
    let stopped = false;
    const handle = {
      send(obj) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj)); },
      close() { stopped = true; if (ws) ws.close(); },
      get connected() { return !!ws && ws.readyState === WebSocket.OPEN; },
    };
    function connect() {
      ws = new WebSocket(`${proto}://${window.location.host}${path}`);
      ws.onopen = () => { delay = 500; document.body.dataset[`ws${path.replace(/\W/g, "")}`] = "open"; if (onOpen) onOpen(handle); };
      ws.onmessage = (ev) => { try { onMessage && onMessage(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
      ws.onclose = () => {
        document.body.dataset[`ws${path.replace(/\W/g, "")}`] = "closed";
        if (onClose) onClose();
        if (!stopped) { setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); }
      };
    }
    connect();
    return handle;
  };

  OMS.toast = function (text, level = "INFO", timeoutMs = 8000) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = `toast toast-${level.toLowerCase()}`;
    el.setAttribute("role", "alert");
    el.textContent = text;
    el.addEventListener("click", () => el.remove());
    box.appendChild(el);
    if (timeoutMs) setTimeout(() => el.remove(), timeoutMs);
  };

})();
