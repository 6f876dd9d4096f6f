/*
 * ferry: the migration wizard of the Cockpit package "ferry".
 *
 * Seven steps (Welcome, Source, Source Info, Options, Confirmation,
 * Execution, Result) over ferryd's D-Bus API, org.ferry.Migration1 on the
 * system bus, and nothing else (see docs/web.md for the mapping):
 *
 *   Source        Probe(address, password, {Interactive})
 *   Options       GetOptions()
 *   Confirmation  PlanWithChecks(options) (Plan with an older ferryd),
 *                 then Start(options) -> job path
 *   Execution     job properties (Operations, Progress, RemainingSeconds,
 *                 State, Error), its signals, GetEvents(since), Resume()
 *   Result        GetReport(format) for download, Acknowledge(), then the
 *                 login page
 *
 * On load, a job that exists (Manager.Job != "/") is shown at once: the
 * view is rebuilt from GetEvents(0) and the job's properties, so a reload,
 * a second browser or a reboot in the middle of a migration catches up.
 *
 * The password is read from the field for Probe only and the field is
 * cleared after a successful Probe; nothing secret is kept in the page or
 * in the browser's storage.
 *
 * The page's modules: constants.js (names, state), dom.js, feedback.js,
 * bus.js, steps.js, step-source.js, step-plan.js, job-view.js,
 * job-actions.js, step-result.js; the React views in views/ (rendered
 * by index.js); this file connects them to the page and to ferryd.
 */
import { $, MANAGER_IFACE, MANAGER_PATH, OPTION_INPUTS, OPTION_KEYS, S, SERVICE } from "./constants.js";
import { setText, show } from "./dom.js";
import { clearError } from "./feedback.js";
import { abandon, askAbandon, resume } from "./job-actions.js";
import { attachJob, detachJob } from "./job-view.js";
import { execute, loadOptions, plan } from "./step-plan.js";
import { close, downloadReport, renderResult } from "./step-result.js";
import { probe } from "./step-source.js";
import { go } from "./steps.js";

/* global cockpit */
const _ = cockpit.gettext;

function next() {
    if (S.busy)
        return;
    switch (S.step) {
    case 1: go(2); break;
    case 2: probe(); break;
    case 3: loadOptions(); break;
    case 4: plan(); break;
    case 6:
        if (S.job && S.job.valid && S.job.State === "succeeded") {
            renderResult();
            go(7);
        }
        break;
    }
}

function back() {
    if (S.busy || S.step < 2 || S.step > 5)
        return;
    go(S.step - 1);
}

function onManagerChanged() {
    const m = S.manager;
    if (!m.valid)
        return;
    setText("welcome-version", m.Version ? cockpit.format(_("Migration service version $0"), m.Version) : "");
    const job = m.Job;
    if (job && job !== "/" && job !== S.jobPath) {
        attachJob(job); // a job started elsewhere (ferryctl, another browser) or found at start
    } else if ((!job || job === "/") && S.jobPath && !S.closing && !S.abandoning && S.step !== 7) {
        detachJob(); // acknowledged elsewhere
        go(1);
    }
}

// What the page says while ferryd is away for the reboot of a Swap job.
function rebootMessage() {
    return _("This system and the source are rebooting. The migration goes on by itself after the reboot; this page reconnects when the migration service is back.");
}

function unavailable(message) {
    $("ferry-unavailable").dataset.reason = S.rebootWait ? "rebooting" : "stopped";
    setText("ferry-unavailable-title", S.rebootWait
        ? _("Waiting for the migration service after the reboot")
        : _("The migration service is not available"));
    show("ferry-loading", false);
    show("ferry-wizard", false);
    setText("ferry-unavailable-text", message);
    show("ferry-unavailable", true);
}

// Connects to ferryd. The manager proxy's wait() does not return while
// the bus name has no owner, so a Ping tells at once when the service
// is missing; the page then tries again every few seconds (quietly) and
// comes up by itself as soon as ferryd is there, or on "Try again".
const RETRY_MS = 3000;

function start(quiet) {
    window.clearTimeout(S.retryTimer);
    if (quiet !== true) {
        show("ferry-loading", true);
        show("ferry-unavailable", false);
        show("ferry-wizard", false);
    }
    if (S.client)
        S.client.close();
    detachJob();
    const client = cockpit.dbus(SERVICE, { bus: "system", superuser: "try" });
    S.client = client;
    // ferryd going away or restarting (crash, restart by systemd, a
    // new owner of the name): connect again and rebuild the view.
    let owner;
    client.addEventListener("owner", (ev, o) => {
        if (S.client !== client)
            return;
        const before = owner;
        owner = o || null;
        if (before === undefined || before === owner)
            return;
        if (owner) {
            start(true);
        } else {
            S.rebootWait = S.lastJobState === "rebooting";
            unavailable(S.rebootWait ? rebootMessage() : cockpit.format(_("$0 has stopped; waiting for it to come back."), SERVICE));
            S.retryTimer = window.setTimeout(() => start(true), RETRY_MS);
        }
    });
    const manager = client.proxy(MANAGER_IFACE, MANAGER_PATH);
    S.manager = manager;
    let ready = false;
    manager.wait().then(() => {
        if (S.client !== client)
            return;
        if (!manager.valid) {
            unavailable(cockpit.format(_("$0 does not answer on the system bus."), SERVICE));
            return;
        }
        ready = true;
        S.rebootWait = false;
        S.connects++;
        $("ferry").dataset.connects = String(S.connects); // for tests: how often the page (re)connected
        show("ferry-loading", false);
        show("ferry-unavailable", false);
        show("ferry-wizard", true);
        manager.addEventListener("changed", onManagerChanged);
        onManagerChanged();
        if (!S.jobPath)
            go(1);
    });
    client.call(MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping", [], { type: "" })
            .catch(ex => {
                if (ready || S.client !== client)
                    return;
                unavailable(S.rebootWait
                    ? rebootMessage()
                    : cockpit.format(_("$0 does not answer on the system bus ($1). Is ferryd installed and running?"),
                                     SERVICE, ex.message || ex.problem || String(ex)));
                S.retryTimer = window.setTimeout(() => start(true), RETRY_MS);
            });
}

// What the page's buttons do (views/page.jsx): nothing while a call is
// under way (setBusy() also disables them).
const idle = fn => () => { if (!S.busy) fn() };
export const actions = {
    next,
    back,
    execute: idle(execute),
    close,
    retry: () => start(),
    // A failed job's report says how far it got; Abandon removes it.
    reportText: idle(() => downloadReport("text")),
    reportJson: idle(() => downloadReport("json")),
    resume: idle(resume),
    askAbandon: idle(askAbandon),
    abandon: idle(abandon),
    keep: () => {
        show("exec-abandon-confirm", false);
        $("exec-abandon").focus();
    },
};

// After the first render of views/page.jsx (index.js).
export function init() {
    // The document's title (index.html, translate="yes") in the user's
    // language (po.js); the page's own texts are translated as React
    // renders them (_() in views/).
    cockpit.translate();
    // The page's language as po.js set it (Cockpit's language cookie),
    // for screen readers and hyphenation.
    document.documentElement.lang = cockpit.language;
    $("source-form").addEventListener("submit", ev => {
        ev.preventDefault();
        next();
    });
    for (const id of ["source-address", "source-password"]) {
        $(id).addEventListener("input", clearError);
        $(id).addEventListener("keydown", ev => {
            if (ev.key === "Enter") {
                ev.preventDefault();
                next();
            }
        });
    }
    for (const key of OPTION_KEYS)
        $(OPTION_INPUTS[key]).addEventListener("change", clearError);
    start();
}
