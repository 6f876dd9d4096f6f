/*
 * ferry: follow Cockpit's light/dark theme, as every Cockpit page does
 * (cockpit's pkg/lib/cockpit-dark-theme.js, used by the starter kit; this
 * is the same logic for PatternFly 5): the shell keeps the administrator's
 * choice in localStorage "shell:style" ("auto", "light" or "dark"), tells
 * open pages through a "storage" event or a "cockpit-style" event, and
 * "auto" follows the browser's prefers-color-scheme. PatternFly 5 switches
 * its colours with the class pf-v5-theme-dark on <html>.
 */
function wantDark(style) {
    style = style || window.localStorage.getItem("shell:style") || "auto";
    if (style === "dark")
        return true;
    return style === "auto" && !!window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

function apply(style) {
    const dark = wantDark(style);
    document.documentElement.classList.toggle("pf-v5-theme-dark", dark);
    document.documentElement.dataset.theme = dark ? "dark" : "light"; // for tests and screenshots
}

window.addEventListener("storage", ev => {
    if (ev.key === "shell:style")
        apply();
});
window.addEventListener("cockpit-style", ev => {
    if (ev instanceof CustomEvent)
        apply(ev.detail && ev.detail.style);
});
if (window.matchMedia)
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => apply());
apply();
