/* ferry: step 6 Execution: the job's properties, signals and events on the page. */
import { FerryManual as M } from "./manual.js";
import { call } from "./bus.js";
import { $, DATA_OPS, JOB_IFACE, OP_STATE_TEXT, S } from "./constants.js";
import { el, formatBytes, formatClock, formatDuration, formatTime, setText, show, unwrap } from "./dom.js";
import { renderAbandon } from "./job-actions.js";
import { outageOf, outageText } from "./outage.js";
import { optionsText, shortName } from "./step-plan.js";
import { go, updateFooter } from "./steps.js";

/* global cockpit */
const _ = cockpit.gettext;

export function attachJob(path) {
    if (S.jobPath === path && S.job)
        return Promise.resolve();
    detachJob();
    S.jobPath = path;
    S.events = [];
    S.lastSeq = 0;
    $("exec-events").textContent = "";
    buildOps([]);
    const job = S.client.proxy(JOB_IFACE, path);
    S.job = job;
    job.addEventListener("changed", () => {
        if (S.job !== job)
            return;
        renderJob();
        if (job.valid && Number(job.EventSequence) > S.lastSeq)
            fetchEvents();
    });
    S.jobSignals = S.client.subscribe({ interface: JOB_IFACE, path }, (p, iface, signal) => {
        if (signal === "OperationChanged" || signal === "Finished")
            fetchEvents();
    });
    go(6);
    return job.wait().then(() => {
        if (!job.valid)
            return;
        renderJob();
        return fetchEvents();
    });
}

export function detachJob() {
    if (S.jobSignals)
        S.jobSignals.remove();
    S.jobSignals = null;
    S.job = null;
    S.jobPath = null;
    S.opItems = {};
}

// Catches up with GetEvents(lastSeq): from 0 after a (re)load, so the
// event log is complete and nothing between two signals is missed.
export function fetchEvents() {
    if (!S.jobPath)
        return Promise.resolve();
    if (S.fetching) {
        S.fetchAgain = true;
        return Promise.resolve();
    }
    S.fetching = true;
    const path = S.jobPath;
    return call(path, JOB_IFACE, "GetEvents", [S.lastSeq], { type: "t" })
            .then(([events]) => {
                if (path !== S.jobPath)
                    return;
                for (const [seq, usec, type, data] of events) {
                    if (seq <= S.lastSeq)
                        continue;
                    S.lastSeq = seq;
                    const ev = { seq, usec, type, data: unwrap(data) };
                    S.events.push(ev);
                    appendEvent(ev);
                }
                $("exec-events").dataset.lastSeq = String(S.lastSeq);
            })
            .catch(ex => {
                console.warn("GetEvents failed:", ex.message);
            })
            .finally(() => {
                S.fetching = false;
                if (S.fetchAgain) {
                    S.fetchAgain = false;
                    fetchEvents();
                }
            });
}

// Operations of ferry's own that the manual does not list
// (docs/operations.md): worded like the manual's, translated like them.
const OWN_OPERATIONS = {
    "pre-copy-data" : {
        name : _("Copies data while the source system still serves."),
        description : _(
            "Added by ferry, not in the manual: only when the source system writes a binary log. The source stays in service during this copy; under maintenance only what changed since is copied."),
    },
};

// One of ferry's own operations (not the manual's): listed only when it runs.
export function isOwnOperation(id)
{
    return !!OWN_OPERATIONS[id];
}

function operationText(id)
{
    return M.OPERATIONS[id] || OWN_OPERATIONS[id];
}

// The manual's name of an operation; ferryd's title for one neither the
// manual nor the page lists.
export function opName(id, fallback) {
    return operationText(id) ? operationText(id).name : (fallback || id);
}

export function opDescription(id) {
    return operationText(id) ? operationText(id).description : "";
}

export function opTitle(id) {
    if (operationText(id))
        return operationText(id).name;
    if (S.job && S.job.valid)
        for (const op of S.job.Operations || [])
            if (op[0] === id)
                return op[1];
    return id;
}

export function eventText(ev) {
    const d = ev.data;
    switch (ev.type) {
    case "job-started":
        return cockpit.format(_("Migration started from $0 ($1)"), d.source || "",
                              optionsText(d));
    case "operation-changed":
        return opTitle(d.id).replace(/\.$/, "") + ": " + (OP_STATE_TEXT[d.state] || d.state);
    case "state-changed":
        return cockpit.format(_("Migration $0"), d.state);
    case "data-path":
        return d.path === "full-copy"
                   ? cockpit.format(_("The data is copied again, under maintenance: $0"),
                                    d.reason || "")
                   : ev.type;
    case "resumed":
        return cockpit.format(d.rebooted ? _("Resumed after a reboot (attempt $0)") : _("Resumed (attempt $0)"), d.attempt);
    case "finished":
        return d.state === "succeeded"
            ? _("Finished: succeeded")
            : cockpit.format(_("Finished: failed in $0: $1"), opTitle(d.operation).replace(/\.$/, ""), d.message || "");
    default:
        return ev.type;
    }
}

export function appendEvent(ev) {
    const time = formatClock(ev.usec);
    $("exec-events").appendChild(el("li", { "data-seq": String(ev.seq), "data-type": ev.type }, [
        el("span", { class: "ferry-event-time", text: time }),
        document.createTextNode(" " + eventText(ev)),
    ]));
}

export function progressBar(label, id) {
    const indicator = el("div", { class: "pf-v5-c-progress__indicator" });
    const bar = el("div", { class: "pf-v5-c-progress__bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0", "aria-label": label }, [indicator]);
    const measure = el("span", { class: "pf-v5-c-progress__measure", text: "0%" });
    const helper = el("div", { class: "pf-v5-c-progress__helper-text" });
    const state = el("span", { class: "ferry-op-state" });
    const root = el("div", { class: "pf-v5-c-progress pf-m-sm" }, [
        el("div", { class: "pf-v5-c-progress__description", text: label }),
        el("div", { class: "pf-v5-c-progress__status" }, [state, measure]),
        bar,
        helper,
    ]);
    return { root, bar, indicator, measure, helper, state, id };
}

export function setBar(b, fraction) {
    const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    b.indicator.style.width = pct + "%";
    b.bar.setAttribute("aria-valuenow", String(pct));
    b.measure.textContent = pct + "%";
}

// Ferry's own operations are listed only when they run: the manual's
// eleven stay the list the administrator knows.
function shown(ops)
{
    return ops.filter(([ id, , state ]) => !(OWN_OPERATIONS[id] && state === "skipped"));
}

export function buildOps(ops) {
    const list = $("exec-ops");
    list.textContent = "";
    S.opItems = {};
    for (const [id, title] of shown(ops)) {
        const b = progressBar(opName(id, title), id);
        const li = el("li", { class: "ferry-op", "data-op": id }, [b.root]);
        list.appendChild(li);
        S.opItems[id] = { li, b };
    }
}

export function renderJob() {
    const job = S.job;
    if (!job || !job.valid)
        return;
    const ops = job.Operations || [];
    if (Object.keys(S.opItems).length !== shown(ops).length)
        buildOps(ops);
    for (const [id, , state, fraction, bytesDone, bytesTotal, remaining] of ops) {
        const item = S.opItems[id];
        if (!item)
            continue;
        item.li.dataset.state = state;
        item.li.className = "ferry-op ferry-op-" + state;
        item.b.root.classList.toggle("pf-m-success", state === "done");
        item.b.root.classList.toggle("pf-m-danger", state === "failed");
        const skipped = state === "skipped";
        const bytes = DATA_OPS.includes(id) && Number(bytesTotal) > 0;
        item.b.state.textContent = skipped ? _("Not needed with these options") : (OP_STATE_TEXT[state] || state) + " ";
        setBar(item.b, state === "done" ? 1 : Number(fraction) || 0);
        item.b.measure.hidden = skipped;
        item.b.bar.hidden = skipped;
        let helper = "";
        if (state === "running") {
            helper = cockpit.format(_("About $0 remaining"), formatDuration(remaining));
            if (bytes)
                helper += " · " + formatBytes(bytesDone) + " / " + formatBytes(bytesTotal);
        } else if (state === "pending") {
            helper = cockpit.format(_("Estimated $0"), formatDuration(remaining));
        } else if (state === "done" && bytes) {
            helper = formatBytes(bytesTotal);
        } else if (state === "failed") {
            helper = _("Failed: see the message above");
        }
        item.b.helper.textContent = helper;
        item.b.helper.hidden = !helper;
    }

    const overall = { root: $("exec-overall"), indicator: document.querySelector("#exec-overall .pf-v5-c-progress__indicator"), bar: document.querySelector("#exec-overall .pf-v5-c-progress__bar"), measure: $("exec-overall-measure") };
    const state = job.State;
    setBar(overall, state === "succeeded" ? 1 : Number(job.Progress) || 0);
    overall.root.classList.toggle("pf-m-success", state === "succeeded");
    overall.root.classList.toggle("pf-m-danger", state === "failed");
    let text = "";
    if (state === "running")
        text = cockpit.format(_("About $0 remaining"), formatDuration(job.RemainingSeconds));
    else if (state === "succeeded")
        text = cockpit.format(_("Finished at $0"), formatTime(job.FinishedAt));
    else if (state === "failed")
        text = _("Stopped");
    setText("exec-overall-text", text);
    const rows = ops.map(([id, , opState, , , , remaining]) => [id, opState !== "skipped", remaining, opState]);
    setText("exec-outage", state === "failed" ? "" : outageText(outageOf(rows), shortName("source-maintenance"), shortName("restart-services")));
    $("step-6").dataset.jobState = state;
    S.lastJobState = state;

    show("exec-rebooting", state === "rebooting");
    const failed = state === "failed";
    show("exec-error", failed);
    if (failed) {
        const [code, operation, message, remedy] = job.Error || ["", "", "", ""];
        $("exec-error").dataset.operation = operation;
        setText("exec-error-title", cockpit.format(_("The migration failed at the operation “$0”"), opTitle(operation)));
        setText("exec-error-message", message);
        setText("exec-error-remedy", M.pageRemedy(remedy));
        setText("exec-error-name", code);
        renderAbandon();
    } else {
        show("exec-abandon-confirm", false);
    }
    show("exec-success", state === "succeeded");
    if (S.step === 6 || S.step === 7)
        updateFooter();
}
