/* ferry: the hotspot's unavailable window, in the page's language (issue 18).
 *
 * From operation 2 (the source placed under maintenance) until operation 9
 * (this system's services restarted) guests cannot log in -- the manual's
 * order; ferryd's plan says the same in its "outage" check
 * (lib/core/outage.cpp). With the copy while the source serves
 * (pre-copy-data) the data copy is outside this window. An HA source's
 * ring keeps serving: only the source node is out. */
import { formatDuration } from "./dom.js";

/* global cockpit */
const _ = cockpit.gettext;

const FIRST = "source-maintenance";
const LAST = "restart-services";

// rows: [id, runs, seconds, state] in the operations' order (state is
// undefined in a plan). Returns { ha, seconds, phase } where phase is
// "before", "during" or "after"; null when the window is not in the list.
export function outageOf(rows) {
    const ids = rows.map(r => r[0]);
    const a = ids.indexOf(FIRST);
    const b = ids.indexOf(LAST);
    if (a < 0 || b < a)
        return null;
    const inside = rows.slice(a, b + 1).filter(r => r[1]);
    const ha = rows.some(([id, runs]) => id === "deactivate-replica" && runs);
    const state = i => rows[i][3];
    let phase = "before";
    if (state(b) === "done")
        phase = "after";
    else if (state(a) && state(a) !== "pending")
        phase = "during";
    const seconds = inside.filter(r => r[3] !== "done").reduce((s, r) => s + (Number(r[2]) || 0), 0);
    return { ha, seconds, phase };
}

export function outageText(o, firstName, lastName) {
    if (!o)
        return "";
    const d = formatDuration(o.seconds);
    if (o.phase === "after")
        return o.ha
            ? cockpit.format(_("The source node is back in the ring's service: “$0” is done."), lastName)
            : cockpit.format(_("Guests can log in again: “$0” is done."), lastName);
    if (o.phase === "during")
        return o.ha
            ? cockpit.format(_("The source node is out of service now, the other nodes of the ring serve guests: about $0 until “$1” is done."), d, lastName)
            : cockpit.format(_("Guests cannot log in now: about $0 until “$1” is done."), d, lastName);
    return o.ha
        ? cockpit.format(_("Unavailable time: the other nodes of the ring keep serving guests; the source node is out of service for about $0, from “$1” until “$2” is done."), d, firstName, lastName)
        : cockpit.format(_("Unavailable time: guests cannot log in for about $0, from “$1” until “$2” is done."), d, firstName, lastName);
}
