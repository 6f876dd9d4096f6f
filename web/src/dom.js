/* ferry: formatting (bytes, durations, times) and small DOM helpers. */
import { $ } from "./constants.js";

/* global cockpit */
const _ = cockpit.gettext;

export function unwrap(dict) {
    const out = {};
    for (const k in dict || {})
        out[k] = dict[k] && typeof dict[k] === "object" && "v" in dict[k] ? dict[k].v : dict[k];
    return out;
}

// Dates, times and numbers in the page's language (cockpit.language, set by
// po.LANG.js), not the browser's: the German page says "6.12.2026, 15:07:37"
// and "1,5 MiB" whatever language the browser itself runs in.
function locale() {
    return cockpit.language || undefined;
}

export function formatBytes(n) {
    n = Number(n) || 0;
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
        n /= 1024;
        i++;
    }
    const digits = i === 0 || n >= 10 ? 0 : 1;
    return n.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }) + " " + units[i];
}

export function formatDuration(s) {
    s = Math.max(0, Math.round(Number(s) || 0));
    if (s < 60)
        return cockpit.format(_("$0 s"), s);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (h > 0)
        return cockpit.format(_("$0 h $1 min"), h, m);
    return sec ? cockpit.format(_("$0 min $1 s"), m, sec) : cockpit.format(_("$0 min"), m);
}

export function formatTime(usec) {
    if (!usec)
        return "";
    return new Date(Number(usec) / 1000).toLocaleString(locale());
}

// The time of day of an event.
export function formatClock(usec) {
    return new Date(Number(usec) / 1000).toLocaleTimeString(locale());
}

export function setText(id, text) {
    $(id).textContent = text === undefined || text === null ? "" : String(text);
}

export function show(id, visible) {
    $(id).hidden = !visible;
}

export function el(tag, props, children) {
    const e = document.createElement(tag);
    for (const k in props || {}) {
        if (k === "text")
            e.textContent = props[k];
        else if (k === "class")
            e.className = props[k];
        else
            e.setAttribute(k, props[k]);
    }
    for (const c of children || [])
        e.appendChild(c);
    return e;
}
