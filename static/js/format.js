// OMS.fmt: the one browser formatter for numbers, quantities and times. It mirrors the template
// filters (oms_project/lib/formatting.py, `{% load oms_format %}`) case for case, so a cell the server
// rendered and the same cell after a live tick look alike. Rounding is decimal half-up on the digits
// (never binary float: 1.005 -> "1.01" as in Python's Decimal). Tested under node and in the browser
// against tests/project/format_cases.json.
(function (root) {
  "use strict";
  const RUPEE = "\u20b9";
  const DASH = "\u2013";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?$/;

  // "123.456" | 123.456 -> { neg, whole: "123", frac: "456" }, or null when it is not a finite number.
  function parse(value) {
    if (value === null || value === undefined || value === "" || typeof value === "boolean") return null;
    let text;
    if (typeof value === "number") {
      if (!isFinite(value)) return null;
      text = String(value);
      if (/e/i.test(text)) text = Math.abs(value) < 1 ? value.toFixed(20) : BigInt(Math.round(value)).toString();
    } else {
      text = String(value).trim();
    }
    const m = NUMBER.exec(text);
    if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) return null;
    return { neg: m[1] === "-", whole: (m[2] || "0").replace(/^0+(?=\d)/, ""), frac: m[3] || "" };
  }

  // Round half-up to `digits` places: -> { neg, whole, frac } with frac exactly `digits` long.
  function round(p, digits) {
    const padded = (p.frac + "0".repeat(digits + 1)).slice(0, digits + 1);
    let all = (p.whole + padded.slice(0, digits)).split("").map(Number);
    if (Number(padded[digits]) >= 5) {
      let i = all.length - 1;
      while (i >= 0) {
        if (all[i] === 9) { all[i] = 0; i -= 1; } else { all[i] += 1; break; }
      }
      if (i < 0) all = [1, ...all];
    }
    const s = all.join("");
    const whole = (s.slice(0, s.length - digits) || "0").replace(/^0+(?=\d)/, "");
    const frac = digits ? s.slice(s.length - digits) : "";
    const zero = /^0*$/.test(whole + frac);
    return { neg: p.neg && !zero, zero, whole, frac };
  }

  function groupIndian(whole) {
    let head = whole.slice(0, -3);
    const tail = whole.slice(-3);
    const groups = [];
    while (head.length > 2) { groups.unshift(head.slice(-2)); head = head.slice(0, -2); }
    if (head) groups.unshift(head);
    return [...groups, tail].join(",");
  }

  function text(r) { return groupIndian(r.whole) + (r.frac ? `.${r.frac}` : ""); }
  function rounded(value, digits) {
    const p = parse(value);
    return p ? round(p, Number(digits)) : null;
  }

  function tickDigits(tick) {
    const p = parse(tick);
    if (!p || p.neg || /^0*$/.test(p.whole + p.frac)) return 2;
    return Math.max(2, p.frac.replace(/0+$/, "").length);
  }

  const fmt = {
    RUPEE, DASH,
    number(value, digits = 2) { const r = rounded(value, digits); return r ? `${r.neg ? "-" : ""}${text(r)}` : DASH; },
    inr(value, digits = 2) { const r = rounded(value, digits); return r ? `${r.neg ? "-" : ""}${RUPEE}${text(r)}` : DASH; },
    tickDigits,
    price(value, tick) { const r = rounded(value, tickDigits(tick)); return r ? `${r.neg ? "-" : ""}${text(r)}` : DASH; },
    pnl(value, digits = 2) {
      const r = rounded(value, digits);
      if (!r) return DASH;
      return `${r.zero ? "" : r.neg ? "-" : "+"}${RUPEE}${text(r)}`;
    },
    pnlClass(value) {
      const r = rounded(value, 2);
      if (!r || r.zero) return "";
      return r.neg ? "neg" : "pos";
    },
    pct(value, digits = 2) {
      const r = rounded(value, digits);
      if (!r) return DASH;
      return `${r.zero ? "" : r.neg ? "-" : "+"}${text(r)}%`;
    },
    lots(quantity, lotSize) {
      const q = parse(quantity);
      if (!q) return DASH;
      const units = Math.abs(Number(`${q.whole}.${q.frac || 0}`));
      const shown = fmt.number(units, 0);
      const size = Number(lotSize);
      if (!isFinite(size) || size <= 1 || units === 0 || units % size) return shown;
      const n = units / size;
      return `${shown} (${n} lot${n !== 1 ? "s" : ""})`;
    },
    lotCount(quantity, lotSize) {
      const q = parse(quantity);
      const size = Number(lotSize);
      if (!q || !isFinite(size) || size <= 1) return "";
      const units = Math.abs(Number(`${q.whole}.${q.frac || 0}`));
      if (units === 0 || units % size) return "";
      const n = units / size;
      return `${n} lot${n !== 1 ? "s" : ""}`;
    },
    sideQty(quantity) {
      const q = parse(quantity);
      if (!q) return DASH;
      const n = Number(`${q.whole}.${q.frac || 0}`);
      if (n === 0) return "0";
      return `${q.neg ? "SELL" : "BUY"} ${fmt.number(n, 0)}`;
    },
    // "01 Dec 14:03:22 IST"; fmt takes %d %b %Y %H %M %S and %3f (milliseconds), as the filter does.
    ist(value, fmt = "%d %b %H:%M:%S") {
      if (value === null || value === undefined || value === "") return DASH;
      const d = value instanceof Date ? value : new Date(value);
      if (isNaN(d.getTime())) return String(value);
      const p = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Kolkata", year: "numeric", day: "2-digit", month: "numeric", hour: "2-digit",
        minute: "2-digit", second: "2-digit", hourCycle: "h23",
      }).formatToParts(d).forEach((x) => { p[x.type] = x.value; });
      const ms = String(d.getUTCMilliseconds()).padStart(3, "0");
      const map = { d: p.day, b: MONTHS[Number(p.month) - 1], Y: p.year, H: p.hour, M: p.minute, S: p.second };
      return `${fmt.replace(/%3f/g, ms).replace(/%([dbYHMS])/g, (_, k) => map[k])} IST`;
    },
    article(word) {
      const t = String(word || "").trim();
      if (!t) return "";
      return `${"aeiou".includes(t[0].toLowerCase()) ? "an" : "a"} ${t}`;
    },
    // Set a cell's text and its P&L colour in one go.
    setSigned(el, value, text) {
      if (!el) return;
      el.textContent = text;
      el.classList.remove("pos", "neg");
      const cls = fmt.pnlClass(value);
      if (cls) el.classList.add(cls);
    },
  };

  if (typeof module !== "undefined" && module.exports) module.exports = fmt;
  if (root) {
    const OMS = (root.OMS = root.OMS || {});
    OMS.fmt = fmt;
    OMS.formatINR = (value, digits = 2) => fmt.number(value, digits); // older name: grouping, no sign
  }
})(typeof window !== "undefined" ? window : null);
