/* ferry: steps 3-5: GetOptions, the Options step, Plan and Execute (Start). */
import { call, remember, variantDict } from "./bus.js";
import { $, INTERACTIVE_TIMEOUT_MS, MANAGER_IFACE, MANAGER_PATH, OPTION_INPUTS, OPTION_KEYS, OPTION_LABELS, S } from "./constants.js";
import { formatBytes, formatDuration, setText, show, unwrap } from "./dom.js";
import { describeError, setBusy, showError } from "./feedback.js";
import { attachJob, isOwnOperation, opDescription, opName } from "./job-view.js";
import { outageOf, outageText } from "./outage.js";
import { go } from "./steps.js";
import { confirmText, planChecks, planRows } from "./views/view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

/* 3 Source Info -> GetOptions */
export function loadOptions() {
    setBusy(_("Reading the options…"));
    call(MANAGER_PATH, MANAGER_IFACE, "GetOptions", [], { type: "" })
            .then(([rows]) => {
                setBusy(null);
                S.optionRules = {};
                for (const [key, available, forced, def, reason] of rows)
                    S.optionRules[key] = { key, available, forced, def, reason };
                renderOptions();
                go(4);
            })
            .catch(ex => {
                setBusy(null);
                showError(ex, expiredHint(ex));
            });
}

export function expiredHint(ex) {
    const e = describeError(ex);
    return e.code === "NotProbed" || e.code === "ProbeExpired"
        ? _("Go back to Source and check the source system again.")
        : "";
}

export function renderOptions() {
    for (const key of OPTION_KEYS) {
        const rule = S.optionRules[key] || { available: true, forced: false, def: false, reason: "" };
        const input = $(OPTION_INPUTS[key]);
        const reason = $(OPTION_INPUTS[key] + "-reason");
        const row = input.closest(".ferry-option");
        input.checked = rule.forced ? true : (rule.available ? !!rule.def : false);
        input.disabled = rule.forced || !rule.available;
        row.classList.toggle("ferry-disabled", input.disabled);
        row.dataset.available = String(!!rule.available);
        row.dataset.forced = String(!!rule.forced);
        // ferryd's sentence, translated where the catalog has it (po.mjs).
        reason.textContent = rule.reason ? _(rule.reason) : "";
        reason.hidden = !rule.reason;
        reason.className = "ferry-option__reason " + (rule.forced ? "ferry-forced" : "ferry-unavailable");
    }
}

export function chosenOptions() {
    const out = {};
    for (const key of OPTION_KEYS) {
        const rule = S.optionRules[key] || { available: true, forced: false };
        out[key] = rule.forced ? true : (rule.available ? $(OPTION_INPUTS[key]).checked : false);
    }
    return out;
}

/* 4 Options -> Plan */
export function plan() {
    const options = chosenOptions();
    setBusy(_("Planning the migration…"));
    // PlanWithChecks: Plan with the pre-flight checks; an older ferryd has
    // only Plan (UnknownMethod), and the page then shows no checks.
    const args = [variantDict(options)];
    call(MANAGER_PATH, MANAGER_IFACE, "PlanWithChecks", args, { type: "a{sv}" })
            .catch(ex => {
                if (ex && ex.name === "org.freedesktop.DBus.Error.UnknownMethod")
                    return call(MANAGER_PATH, MANAGER_IFACE, "Plan", args, { type: "a{sv}" }).then(([e, o]) => [e, o, null]);
                throw ex;
            })
            .then(([effective, ops, checks]) => {
                setBusy(null);
                S.chosen = unwrap(effective);
                S.plan = ops;
                renderPlan();
                renderChecks(checks);
                go(5);
            })
            .catch(ex => {
                setBusy(null);
                showError(ex, expiredHint(ex));
            });
}

const CHECK_VERDICTS = {
    ok: _("OK"),
    warning: _("Warning"),
    failure: _("Failed"),
};

// The checks as ferryd words them (id, verdict, title, message); a failed
// one means Start will be refused with PreflightFailed, nothing changed.
// The titles are ferryd's fixed sentences (N_() in core/preflight.cpp),
// translated here; a message has this job's figures and stays English.
export function renderChecks(checks) {
    show("plan-checks", !!checks);
    const rows = (checks || []).map(([id, verdict, title, message]) =>
        ({ id, verdict, title: _(title), result: CHECK_VERDICTS[verdict] || verdict, message }));
    planChecks.set(rows);
    const failed = rows.some(c => c.verdict === "failure");
    show("plan-checks-failed", failed);
}

export function optionsText(opts) {
    return OPTION_KEYS.map(k => OPTION_LABELS[k] + " " + (opts[k] ? _("on") : _("off"))).join(", ");
}

export function renderPlan() {
    confirmText.set({
        source: (S.probe && S.probe.HostName ? S.probe.HostName + " " : "") + "(" + S.address + ")",
        options: optionsText(S.chosen),
    });
    const rows = [];
    let n = 0;
    let bytes = 0;
    let seconds = 0;
    const skipped = [];
    for (const [id, , runs, condition, detail, opBytes, estimate] of S.plan) {
        const title = opName(id);
        if (!runs) {
            // ferry's own operation is not news when it does not run.
            if (!isOwnOperation(id))
                skipped.push(title + " (" + _(condition) + ")");
            continue;
        }
        n++;
        bytes += Number(opBytes);
        seconds += Number(estimate);
        rows.push({
            id,
            n,
            title,
            // ferryd's detail is one of its fixed sentences (N_() in
            // core/plan.cpp), translated here.
            details: [opDescription(id), detail ? _(detail) : ""].filter(Boolean).join(" "),
            size: opBytes ? formatBytes(opBytes) : "—",
            time: formatDuration(estimate),
        });
    }
    planRows.set(rows);
    setText("plan-total-bytes", formatBytes(bytes));
    setText("plan-total-time", formatDuration(seconds));
    setText("plan-skipped", skipped.length ? cockpit.format(_("Not run with these options: $0."), skipped.join("; ")) : "");
    const outageRows = S.plan.map(([id, , runs, , , , estimate]) => [id, runs, estimate, undefined]);
    setText("plan-outage", outageText(outageOf(outageRows), shortName("source-maintenance"), shortName("restart-services")));
}

// An operation's name inside a sentence (without its full stop).
export function shortName(id) {
    return opName(id).replace(/\.$/, "");
}

/* 5 Confirmation -> Start */
export function execute() {
    const options = Object.assign({}, S.chosen);
    const dict = variantDict(options);
    dict.Interactive = cockpit.variant("b", true);
    setBusy(_("Starting the migration…"));
    call(MANAGER_PATH, MANAGER_IFACE, "Start", [dict], { type: "a{sv}", timeout: INTERACTIVE_TIMEOUT_MS })
            .then(([path]) => {
                setBusy(null);
                const p = S.probe || {};
                remember(path, {
                    address: S.address,
                    hostName: p.HostName || "",
                    domainName: p.DomainName || "",
                    highAvailability: !!p.HighAvailability,
                    dnsAdvice: p.DnsAdvice || [],
                    ringMembers: p.RingMembers || [],
                });
                return attachJob(path);
            })
            .catch(ex => {
                setBusy(null);
                showError(ex, expiredHint(ex));
            });
}
