/* ferry: step 6 Execution: the job's properties, signals and events on the page. */
import { FerryManual as M } from "./manual.js";
import { call } from "./bus.js";
import { $, DATA_OPS, JOB_IFACE, OP_STATE_TEXT, S } from "./constants.js";
import { formatBytes, formatClock, formatDuration, formatTime, setText, show, unwrap } from "./dom.js";
import { renderAbandon } from "./job-actions.js";
import { outageOf, outageText } from "./outage.js";
import { optionsText, shortName } from "./step-plan.js";
import { panelUrl, resultSource } from "./step-result.js";
import { go, updateFooter } from "./steps.js";
import { events, operations, overall } from "./views/view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

export function attachJob(path) {
    if (S.jobPath === path && S.job)
        return Promise.resolve();
    detachJob();
    S.jobPath = path;
    S.events = [];
    S.lastSeq = 0;
    events.set([]);
    operations.set([]);
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
            .then(([list]) => {
                if (path !== S.jobPath)
                    return;
                const added = [];
                for (const [seq, usec, type, data] of list) {
                    if (seq <= S.lastSeq)
                        continue;
                    S.lastSeq = seq;
                    const ev = { seq, usec, type, data: unwrap(data) };
                    S.events.push(ev);
                    added.push({ seq, type, time: formatClock(usec), text: eventText(ev) });
                }
                if (added.length)
                    events.set(shown => shown.concat(added));
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

// Ferry's own operations are listed only when they run: the manual's
// eleven stay the list the administrator knows.
function shown(ops)
{
    return ops.filter(([ id, , state ]) => !(OWN_OPERATIONS[id] && state === "skipped"));
}

const percent = fraction => Math.max(0, Math.min(100, Math.floor((Number(fraction) || 0) * 100)));
const barVariant = { done: "success", succeeded: "success", failed: "danger" };

// One operation of the job's Operations as its bar shows it (views/step-execution.jsx).
function operationView([id, title, state, fraction, bytesDone, bytesTotal, remaining]) {
    const skipped = state === "skipped";
    const bytes = DATA_OPS.includes(id) && Number(bytesTotal) > 0;
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
    return {
        id,
        label: opName(id, title),
        state,
        stateText: skipped ? _("Not needed with these options") : (OP_STATE_TEXT[state] || state) + " ",
        pct: percent(state === "done" ? 1 : fraction),
        variant: barVariant[state] || null,
        helper,
        skipped,
    };
}

export function renderJob() {
    const job = S.job;
    if (!job || !job.valid)
        return;
    const ops = job.Operations || [];
    operations.set(shown(ops).map(operationView));

    const state = job.State;
    let text = "";
    if (state === "running")
        text = cockpit.format(_("About $0 remaining"), formatDuration(job.RemainingSeconds));
    else if (state === "succeeded")
        text = cockpit.format(_("Finished at $0"), formatTime(job.FinishedAt));
    else if (state === "failed")
        text = _("Stopped");
    overall.set({ pct: percent(state === "succeeded" ? 1 : job.Progress), variant: barVariant[state] || null, text });
    const rows = ops.map(([id, , opState, , , , remaining]) => [id, opState !== "skipped", remaining, opState]);
    setText("exec-outage", state === "failed" ? "" : outageText(outageOf(rows), shortName("source-maintenance"), shortName("restart-services")));
    $("step-6").dataset.jobState = state;
    S.lastJobState = state;

    show("exec-rebooting", state === "rebooting");
    renderSwapAddress(state);
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

// With Swap Configuration this system takes the source's address at the
// reboot, and the browser's connection to the address it uses now ends
// there: that address then belongs to the source. Said before it happens,
// with the link to follow the job afterwards (the Cockpit shell only says
// "Disconnected" and would reconnect to the source).
function renderSwapAddress(state) {
    const opts = unwrap(S.job.Options) || {};
    const address = resultSource().address;
    const here = window.top.location.hostname.replace(/^\[|\]$/g, "");
    const ahead = !!opts.SwapConfiguration && !!address && address !== here &&
                  state !== "succeeded" && state !== "failed";
    show("exec-swap-address", ahead);
    if (!ahead)
        return;
    const url = panelUrl(address, "/ferry");
    setText("exec-swap-address-title", cockpit.format(_("With Swap Configuration this system takes the source's address $0 when both systems reboot."), address));
    setText("exec-swap-address-text", cockpit.format(_("This page loses its connection at the reboot, and $0 then belongs to the source system. Log in at $1 afterwards and open Migration to follow the migration to its end."), here, address));
    const link = $("exec-swap-address-link");
    link.href = url;
    link.textContent = url;
}
