/*
 * ferry: the migration wizard of the Cockpit package "ferry".
 *
 * Seven steps (Welcome, Source, Source Info, Options, Confirmation,
 * Execution, Result) over ferryd's D-Bus API, org.ferry.Migration1 on the
 * system bus, and nothing else (see docs/web.md for the mapping):
 *
 *   Source        Probe(address, password, {Interactive})
 *   Options       GetOptions()
 *   Confirmation  Plan(options), then Start(options) -> job path
 *   Execution     job properties (Operations, Progress, RemainingSeconds,
 *                 State, Error), its signals, GetEvents(since), Resume()
 *   Result        Acknowledge(), then the login page
 *
 * On load, a job that exists (Manager.Job != "/") is shown at once: the
 * view is rebuilt from GetEvents(0) and the job's properties, so a reload,
 * a second browser or a reboot in the middle of a migration catches up.
 *
 * The password is read from the field for Probe only and the field is
 * cleared after a successful Probe; nothing secret is kept in the page or
 * in the browser's storage.
 */
import { FerryManual as M } from "./manual.js";
import { FerryOutcome } from "./outcome.js";

/* global cockpit */
(function () {
    const _ = cockpit.gettext;

    const SERVICE = "org.ferry.Migration1";
    const MANAGER_PATH = "/org/ferry/Migration1";
    const MANAGER_IFACE = "org.ferry.Migration1";
    const JOB_IFACE = "org.ferry.Migration1.Job";
    const ERROR_PREFIX = "org.ferry.Migration1.Error.";
    const OPTION_KEYS = ["SwapConfiguration", "MigrateLicense", "CopyUserTrafficLogs"];
    const OPTION_LABELS = {
        SwapConfiguration: M.OPTIONS.SwapConfiguration.label,
        MigrateLicense: M.OPTIONS.MigrateLicense.label,
        CopyUserTrafficLogs: M.OPTIONS.CopyUserTrafficLogs.label,
    };
    const OPTION_INPUTS = {
        SwapConfiguration: "opt-swap",
        MigrateLicense: "opt-license",
        CopyUserTrafficLogs: "opt-logs",
    };
    const STORAGE_PREFIX = "ferry.job:"; // + job path: what the Result step needs after a reboot
    const INTERACTIVE_TIMEOUT_MS = 300 * 1000; // polkit may ask for a password (docs/dbus-api.md)

    // The named errors of docs/dbus-api.md, in words.
    const ERROR_TITLES = {
        InvalidArgument: _("The input is not valid"),
        UnknownOption: _("Unknown option"),
        NotProbed: _("The source has not been checked yet"),
        ProbeExpired: _("The check of the source has expired"),
        Unreachable: _("The source system cannot be reached"),
        AuthenticationFailed: _("Wrong Admin password"),
        CertificateMismatch: _("The source presented another certificate than expected"),
        RateLimited: _("Too many login attempts"),
        OptionUnavailable: _("This option is not available"),
        SameSystem: _("This is the address of this system"),
        IncompatibleSource: _("The source system is not compatible"),
        Busy: _("A migration is already in progress"),
        NoJob: _("There is no migration"),
        NotFinished: _("The migration has not finished yet"),
        NotFailed: _("The migration has not failed"),
        NotAuthorized: _("You are not authorized to do this"),
        JournalCorrupt: _("The migration journal is damaged"),
        Internal: _("Internal error of the migration service"),
        SourceOutOfRing: _("The source system is out of the replication ring"),
        RestartLimit: _("The migration stopped after too many restarts"),
        LimitsExceeded: _("Too many requests are waiting for authorization"),
        JournalWriteFailed: _("The migration journal cannot be written"),
        PreflightFailed: _("A check before the migration failed; nothing was changed"),
    };
    // Operations whose Operations[].bytes_* are bytes; the others report
    // their progress in steps (e.g. copy-settings: 3 of 3).
    const DATA_OPS = ["copy-data", "copy-data-activate-replica", "copy-syslog"];
    const OP_STATE_TEXT = {
        pending: _("Waiting"),
        running: _("Running"),
        done: _("Done"),
        failed: _("Failed"),
        skipped: _("Not needed"),
    };

    const $ = id => document.getElementById(id);

    const S = {
        step: 1,
        client: null,
        manager: null,
        probe: null, // Probe's result, unwrapped
        address: "",
        optionRules: null, // GetOptions rows by key
        chosen: null, // effective options of the plan shown
        plan: null,
        jobPath: null,
        job: null, // proxy
        jobSignals: null,
        events: [],
        lastSeq: 0,
        fetching: false,
        fetchAgain: false,
        opItems: {},
        busy: false,
        closing: false,
        retryTimer: null,
        connects: 0,
        lastJobState: "", // the job's State last rendered: "rebooting" when ferryd goes away for the reboot
        rebootWait: false, // ferryd went away while the job was rebooting
    };

    /* ------------------------------------------------------------ helpers */

    function unwrap(dict) {
        const out = {};
        for (const k in dict || {})
            out[k] = dict[k] && typeof dict[k] === "object" && "v" in dict[k] ? dict[k].v : dict[k];
        return out;
    }

    function formatBytes(n) {
        n = Number(n) || 0;
        const units = ["B", "KiB", "MiB", "GiB", "TiB"];
        let i = 0;
        while (n >= 1024 && i < units.length - 1) {
            n /= 1024;
            i++;
        }
        return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
    }

    function formatDuration(s) {
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

    function formatTime(usec) {
        if (!usec)
            return "";
        return new Date(Number(usec) / 1000).toLocaleString();
    }

    function setText(id, text) {
        $(id).textContent = text === undefined || text === null ? "" : String(text);
    }

    // cockpit.format() for DOM nodes: the translated template's text with
    // the nodes where $0, $1, ... stand.
    function formatNodes(template, ...nodes) {
        return template.split(/(\$\d)/).filter(p => p !== "").map(p => (/^\$\d$/.test(p) && nodes[p[1]] ? nodes[p[1]] : document.createTextNode(p)));
    }

    function show(id, visible) {
        $(id).hidden = !visible;
    }

    function el(tag, props, children) {
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

    // A D-Bus error (or a cockpit channel problem) as {title, message, name}.
    function describeError(ex) {
        const name = (ex && ex.name) || "";
        const message = (ex && ex.message) || cockpit.message(ex);
        if (name.indexOf(ERROR_PREFIX) === 0) {
            const code = name.substring(ERROR_PREFIX.length);
            return { title: ERROR_TITLES[code] || code, message, name, code };
        }
        if (name === "org.freedesktop.DBus.Error.ServiceUnknown" || name === "org.freedesktop.DBus.Error.NoReply" ||
            (ex && ex.problem))
            return { title: _("The migration service did not answer"), message, name: name || ex.problem, code: "" };
        return { title: _("The request failed"), message, name, code: "" };
    }

    function showError(ex, hint) {
        const e = describeError(ex);
        setText("wizard-error-title", e.title);
        setText("wizard-error-message", hint ? e.message + " " + hint : e.message);
        setText("wizard-error-name", e.name);
        $("wizard-error").dataset.error = e.name;
        show("wizard-error", true);
        return e;
    }

    function clearError() {
        show("wizard-error", false);
        delete $("wizard-error").dataset.error;
    }

    function setBusy(text) {
        S.busy = !!text;
        setText("busy-text", text || "");
        show("busy", !!text);
        for (const id of ["btn-next", "btn-back", "btn-execute", "btn-close", "exec-resume", "exec-abandon", "exec-abandon-yes", "exec-abandon-no"])
            $(id).disabled = !!text;
        for (const id of ["source-address", "source-password", "source-fingerprint"])
            $(id).disabled = !!text;
    }

    // A native Promise (Cockpit's own promises do not turn a throw in a
    // handler into a rejection), resolved with the reply's out arguments.
    function call(path, iface, method, args, options) {
        const client = S.client;
        return new Promise((resolve, reject) => {
            client.call(path, iface, method, args, options).then(resolve, reject);
        });
    }

    function variantDict(obj) {
        const out = {};
        for (const k in obj)
            out[k] = cockpit.variant("b", !!obj[k]);
        return out;
    }

    function storageKey(path) {
        return STORAGE_PREFIX + path;
    }

    function remember(path, data) {
        try {
            window.localStorage.setItem(storageKey(path), JSON.stringify(data));
        } catch (e) { /* storage may be disabled: the Result step then gives generic advice */ }
    }

    function recall(path) {
        try {
            return JSON.parse(window.localStorage.getItem(storageKey(path)) || "null");
        } catch (e) {
            return null;
        }
    }

    function forget(path) {
        try {
            window.localStorage.removeItem(storageKey(path));
        } catch (e) { }
    }

    /* ------------------------------------------------------------ steps */

    function go(step) {
        S.step = step;
        clearError();
        for (const sec of document.querySelectorAll(".ferry-step"))
            sec.hidden = Number(sec.dataset.step) !== step;
        // PatternFly's wizard nav: the current step marked, the others
        // shown but not clickable (the steps follow the job, not the user).
        for (const li of document.querySelectorAll("#ferry-steps li")) {
            const n = Number(li.dataset.step);
            const link = li.querySelector("button");
            link.classList.toggle("pf-m-current", n === step);
            link.disabled = n !== step;
            li.classList.toggle("ferry-done", n < step);
            if (n === step) {
                link.setAttribute("aria-current", "step");
                setText("ferry-toggle-num", String(n));
                setText("ferry-toggle-name", link.textContent);
            } else {
                link.removeAttribute("aria-current");
            }
        }
        toggleSteps(false);
        $("ferry-wizard").dataset.step = String(step);
        updateFooter();
        if (step === 2)
            $("source-address").focus();
    }

    // Below 992 px the step list folds behind a toggle (PatternFly's wizard).
    function toggleSteps(open) {
        const toggle = $("ferry-steps-toggle");
        toggle.classList.toggle("pf-m-expanded", open);
        toggle.setAttribute("aria-expanded", String(open));
        $("ferry-steps-nav").classList.toggle("pf-m-expanded", open);
    }

    function updateFooter() {
        const step = S.step;
        const jobState = S.job && S.job.valid ? S.job.State : "";
        // Back: only before Execute.
        show("btn-back", step >= 2 && step <= 5);
        show("btn-execute", step === 5);
        show("btn-close", step === 7);
        // Next: steps 1-4; in Execution only once the job succeeded.
        show("btn-next", step <= 4 || (step === 6 && jobState === "succeeded"));
    }

    /* 2 Source -> Probe */
    function probe() {
        const address = $("source-address").value.trim();
        const password = $("source-password").value;
        if (!address) {
            showError({ message: _("Enter the IP address of the source system.") });
            setText("wizard-error-title", _("The IP address is missing"));
            return;
        }
        if (!password) {
            showError({ message: _("Enter the password of the source's Admin user.") });
            setText("wizard-error-title", _("The Admin password is missing"));
            return;
        }
        clearError();
        setBusy(_("Checking the source system…"));
        const flags = { Interactive: cockpit.variant("b", true) };
        const fingerprint = $("source-fingerprint").value.trim();
        if (fingerprint)
            flags.CertificateSha256 = cockpit.variant("s", fingerprint);
        call(MANAGER_PATH, MANAGER_IFACE, "Probe", [address, password, flags],
             { type: "ssa{sv}", timeout: INTERACTIVE_TIMEOUT_MS })
                .then(([info]) => {
                    setBusy(null);
                    $("source-password").value = "";
                    S.probe = unwrap(info);
                    S.address = address;
                    renderSourceInfo();
                    go(3);
                })
                .catch(ex => {
                    setBusy(null);
                    showError(ex);
                    $("source-password").select();
                });
    }

    function renderSourceInfo() {
        const p = S.probe || {};
        $("info-license").value = p.LicenseGuid || _("(none)");
        $("info-host").value = p.HostName || "";
        $("info-domain").value = p.DomainName || "";
        $("info-address").value = p.Address || S.address;
        $("info-role").value = p.ServerRole || "";
        // As ssh shows a host key ("sha256//X=" -> "SHA256:X"): to compare
        // with the one shown on the source.
        $("info-fingerprint").value = (p.CertificateSha256 || "").replace(/^sha256\/\//, "SHA256:").replace(/=+$/, "");
        const ha = !!p.HighAvailability;
        show("info-ha", ha);
        show("info-standalone", !ha);
        const advice = M.haAdvice({
            address: p.Address || S.address,
            hostName: p.HostName,
            domainName: p.DomainName,
            dnsAdvice: p.DnsAdvice,
            dnsRevertAdvice: p.DnsRevertAdvice,
            ringMembers: p.RingMembers,
            mainNode: p.MainNode,
        });
        setText("info-dns-intro", advice.intro);
        setText("info-dns-outro", advice.outro);
        const list = $("info-dns-advice");
        list.textContent = "";
        for (const line of advice.items)
            list.appendChild(el("li", { text: "– " + line }));
        let ring = ha && (p.RingMembers || []).length ? cockpit.format(_("Ring members: $0."), p.RingMembers.join(", ")) : "";
        if (ha && p.MainNode)
            ring += (ring ? " " : "") + cockpit.format(_("Main node: $0."), p.MainNode);
        setText("info-ring", ring);

        const body = document.querySelector("#info-ports tbody");
        body.textContent = "";
        for (const [port, service, open, detail] of p.PortChecks || []) {
            body.appendChild(el("tr", { class: "pf-v5-c-table__tr", "data-port": String(port) }, [
                el("td", { class: "pf-v5-c-table__td", "data-label": _("Port"), text: String(port) }),
                el("td", { class: "pf-v5-c-table__td", "data-label": _("Service"), text: service }),
                el("td", { class: "pf-v5-c-table__td", "data-label": _("State"), text: open ? _("open") : cockpit.format(_("closed ($0)"), detail) }),
            ]));
        }
        const sizes = $("info-sizes");
        sizes.textContent = "";
        const add = (label, value) => {
            sizes.appendChild(el("div", { class: "pf-v5-c-description-list__group" }, [
                el("dt", { class: "pf-v5-c-description-list__term" }, [el("span", { class: "pf-v5-c-description-list__text", text: label })]),
                el("dd", { class: "pf-v5-c-description-list__description" }, [el("div", { class: "pf-v5-c-description-list__text", text: value })]),
            ]));
        };
        add(_("Data"), formatBytes(p.DataBytes));
        add(_("User traffic logs"), formatBytes(p.LogBytes));
        add(_("System Settings"), formatBytes(p.SettingsBytes));
    }

    /* 3 Source Info -> GetOptions */
    function loadOptions() {
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

    function expiredHint(ex) {
        const e = describeError(ex);
        return e.code === "NotProbed" || e.code === "ProbeExpired"
            ? _("Go back to Source and check the source system again.")
            : "";
    }

    function renderOptions() {
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
            reason.textContent = rule.reason || "";
            reason.hidden = !rule.reason;
            reason.className = "ferry-option__reason " + (rule.forced ? "ferry-forced" : "ferry-unavailable");
        }
    }

    function chosenOptions() {
        const out = {};
        for (const key of OPTION_KEYS) {
            const rule = S.optionRules[key] || { available: true, forced: false };
            out[key] = rule.forced ? true : (rule.available ? $(OPTION_INPUTS[key]).checked : false);
        }
        return out;
    }

    /* 4 Options -> Plan */
    function plan() {
        const options = chosenOptions();
        setBusy(_("Planning the migration…"));
        call(MANAGER_PATH, MANAGER_IFACE, "Plan", [variantDict(options)], { type: "a{sv}" })
                .then(([effective, ops]) => {
                    setBusy(null);
                    S.chosen = unwrap(effective);
                    S.plan = ops;
                    renderPlan();
                    go(5);
                })
                .catch(ex => {
                    setBusy(null);
                    showError(ex, expiredHint(ex));
                });
    }

    function optionsText(opts) {
        return OPTION_KEYS.map(k => OPTION_LABELS[k] + " " + (opts[k] ? _("on") : _("off"))).join(", ");
    }

    function renderPlan() {
        // One sentence for the translators; the source in bold where $0 is.
        const source = el("strong", { id: "confirm-source", text: (S.probe && S.probe.HostName ? S.probe.HostName + " " : "") + "(" + S.address + ")" });
        const options = el("span", { id: "confirm-options", text: optionsText(S.chosen) });
        $("confirm-text").replaceChildren(...formatNodes(_("Press the ‘Execute’ button to confirm starting the migration from $0 with these options: $1."), source, options));
        const body = document.querySelector("#plan-table tbody");
        body.textContent = "";
        let n = 0;
        let bytes = 0;
        let seconds = 0;
        const skipped = [];
        for (const [id, , runs, condition, detail, opBytes, estimate] of S.plan) {
            const title = opName(id);
            if (!runs) {
                skipped.push(title + " (" + condition + ")");
                continue;
            }
            n++;
            bytes += Number(opBytes);
            seconds += Number(estimate);
            body.appendChild(el("tr", { class: "pf-v5-c-table__tr", "data-op": id }, [
                el("td", { class: "pf-v5-c-table__td", "data-label": "#", text: String(n) }),
                el("td", { class: "pf-v5-c-table__td", "data-label": _("Operation"), text: title }),
                el("td", { class: "pf-v5-c-table__td", "data-label": _("Details"), text: [opDescription(id), detail].filter(Boolean).join(" ") }),
                el("td", { class: "pf-v5-c-table__td ferry-num", "data-label": _("Size"), text: opBytes ? formatBytes(opBytes) : "—" }),
                el("td", { class: "pf-v5-c-table__td ferry-num", "data-label": _("Estimated time"), text: formatDuration(estimate) }),
            ]));
        }
        setText("plan-total-bytes", formatBytes(bytes));
        setText("plan-total-time", formatDuration(seconds));
        setText("plan-skipped", skipped.length ? cockpit.format(_("Not run with these options: $0."), skipped.join("; ")) : "");
    }

    /* 5 Confirmation -> Start */
    function execute() {
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

    /* ------------------------------------------------------------ the job */

    function attachJob(path) {
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

    function detachJob() {
        if (S.jobSignals)
            S.jobSignals.remove();
        S.jobSignals = null;
        S.job = null;
        S.jobPath = null;
        S.opItems = {};
    }

    // Catches up with GetEvents(lastSeq): from 0 after a (re)load, so the
    // event log is complete and nothing between two signals is missed.
    function fetchEvents() {
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

    // The manual's name of an operation; ferryd's title for one the manual
    // does not list.
    function opName(id, fallback) {
        return M.OPERATIONS[id] ? M.OPERATIONS[id].name : (fallback || id);
    }

    function opDescription(id) {
        return M.OPERATIONS[id] ? M.OPERATIONS[id].description : "";
    }

    function opTitle(id) {
        if (M.OPERATIONS[id])
            return M.OPERATIONS[id].name;
        if (S.job && S.job.valid)
            for (const op of S.job.Operations || [])
                if (op[0] === id)
                    return op[1];
        return id;
    }

    function eventText(ev) {
        const d = ev.data;
        switch (ev.type) {
        case "job-started":
            return cockpit.format(_("Migration started from $0 ($1)"), d.source || "",
                                  optionsText({ SwapConfiguration: d.swap, MigrateLicense: d.license, CopyUserTrafficLogs: d.logs }));
        case "operation-changed":
            return opTitle(d.id).replace(/\.$/, "") + ": " + (OP_STATE_TEXT[d.state] || d.state);
        case "state-changed":
            return cockpit.format(_("Migration $0"), d.state);
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

    function appendEvent(ev) {
        const time = new Date(Number(ev.usec) / 1000).toLocaleTimeString();
        $("exec-events").appendChild(el("li", { "data-seq": String(ev.seq), "data-type": ev.type }, [
            el("span", { class: "ferry-event-time", text: time }),
            document.createTextNode(" " + eventText(ev)),
        ]));
    }

    function progressBar(label, id) {
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

    function setBar(b, fraction) {
        const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
        b.indicator.style.width = pct + "%";
        b.bar.setAttribute("aria-valuenow", String(pct));
        b.measure.textContent = pct + "%";
    }

    function buildOps(ops) {
        const list = $("exec-ops");
        list.textContent = "";
        S.opItems = {};
        for (const [id, title] of ops) {
            const b = progressBar(opName(id, title), id);
            const li = el("li", { class: "ferry-op", "data-op": id }, [b.root]);
            list.appendChild(li);
            S.opItems[id] = { li, b };
        }
    }

    function renderJob() {
        const job = S.job;
        if (!job || !job.valid)
            return;
        const ops = job.Operations || [];
        if (Object.keys(S.opItems).length !== ops.length)
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

    /* A failed job: Abandon = Acknowledge(), after saying what each system
     * is left in. Refused by ferryd (SourceOutOfRing) for a failed HA job
     * whose source has left the ring and this system has not joined it
     * yet; the page says so before anyone asks (the same window as
     * core::source_out_of_ring) and shows ferryd's refusal otherwise. The
     * page never uses AcknowledgeWithFlags' Force: that is for an
     * administrator repairing the ring by hand (ferryctl acknowledge --force). */
    function jobIsHa() {
        return !!resultSource().highAvailability;
    }

    function outOfRing(ops) {
        const st = id => (ops.find(o => o[0] === id) || [])[2] || "";
        return jobIsHa() && ["done", "running", "failed"].includes(st("deactivate-replica")) && st("copy-data-activate-replica") !== "done";
    }

    function abandonTexts() {
        const job = S.job;
        return FerryOutcome.abandoned(job.Operations || [], unwrap(job.Options), jobIsHa());
    }

    function renderAbandon() {
        const ops = (S.job && S.job.Operations) || [];
        const refused = outOfRing(ops);
        $("exec-abandon").dataset.refused = String(refused);
        if (refused)
            setText("exec-abandon-refused", _("The source system has left the replication ring and this system has not taken its place yet: abandoning now would leave the ring without this node. Remove the cause of the failure and select “Resume”."));
        show("exec-abandon-refused", refused);
        show("exec-abandon-yes", !refused);
    }

    function askAbandon() {
        const t = abandonTexts();
        setText("exec-abandon-this", t.thisSystem);
        setText("exec-abandon-source", t.source);
        setText("exec-abandon-cleanup", t.cleanup);
        renderAbandon();
        show("exec-abandon-confirm", true);
        $(S.busy ? "exec-abandon-no" : ($("exec-abandon-yes").hidden ? "exec-abandon-no" : "exec-abandon-yes")).focus();
    }

    function abandon() {
        const t = abandonTexts();
        setBusy(_("Abandoning the migration…"));
        S.abandoning = true;
        call(S.jobPath, JOB_IFACE, "Acknowledge", [], { type: "" })
                .then(() => {
                    setBusy(null);
                    S.abandoning = false;
                    forget(S.jobPath);
                    detachJob();
                    showAbandoned(t);
                    go(1);
                })
                .catch(ex => {
                    setBusy(null);
                    S.abandoning = false;
                    const e = describeError(ex);
                    setText("exec-abandon-refused", e.title + ": " + M.pageRemedy(e.message));
                    $("exec-abandon-refused").dataset.error = e.name;
                    show("exec-abandon-refused", true);
                    show("exec-abandon-yes", e.code !== "SourceOutOfRing");
                });
    }

    // Welcome, after an abandon: what the two systems were left in.
    function showAbandoned(t) {
        setText("welcome-abandoned-this", t.thisSystem);
        setText("welcome-abandoned-source", t.source);
        setText("welcome-abandoned-cleanup", t.cleanup);
        show("welcome-abandoned", true);
    }

    function resume() {
        show("exec-abandon-confirm", false);
        setBusy(_("Resuming the migration…"));
        call(S.jobPath, JOB_IFACE, "Resume", [], { type: "" })
                .then(() => setBusy(null))
                .catch(ex => {
                    setBusy(null);
                    const e = describeError(ex);
                    setText("exec-error-remedy", e.title + ": " + M.pageRemedy(e.message));
                });
    }

    /* 7 Result */
    // What the Result step tells about the source: the job's Source
    // property (kept by ferryd for the whole job, also after a reboot and in
    // another browser), else what this browser kept at Start.
    function resultSource() {
        const job = S.job;
        const src = job && job.valid ? unwrap(job.Source) : {};
        const kept = recall(S.jobPath) || {};
        const list = v => (Array.isArray(v) ? v : []);
        return {
            address: src.Address || kept.address || "",
            hostName: src.HostName || kept.hostName || "",
            domainName: src.DomainName || kept.domainName || "",
            highAvailability: "HighAvailability" in src ? !!src.HighAvailability : !!kept.highAvailability,
            dnsRevertAdvice: list(src.DnsRevertAdvice),
            dnsAdvice: list(src.DnsAdvice).length ? list(src.DnsAdvice) : list(kept.dnsAdvice),
        };
    }

    function renderResult() {
        const job = S.job;
        const info = resultSource();
        const opts = job && job.valid ? unwrap(job.Options) : {};
        const from = info.address ? (info.hostName ? info.hostName + " (" + info.address + ")" : info.address) : _("the source system");
        setText("result-summary", cockpit.format(_("This system was migrated from $0 ($1); finished at $2."),
                                                 from, optionsText(opts), formatTime(job && job.valid ? job.FinishedAt : 0)));
        const ha = info.highAvailability;
        show("result-dns", ha);
        const list = $("result-dns-advice");
        list.textContent = "";
        if (ha) {
            const advice = M.revertAdvice(info);
            list.dataset.from = info.dnsRevertAdvice.length ? "DnsRevertAdvice" : "DnsAdvice";
            setText("result-dns-intro", advice.intro);
            for (const line of advice.items)
                list.appendChild(el("li", { text: "– " + line }));
        }
        const outcome = FerryOutcome.result(opts, info);
        setText("result-source-state", outcome.source);
        setText("result-source-undo", outcome.undo);
        S.newAddress = outcome.newAddress;
        show("result-new-address", !!outcome.newAddress);
        setText("result-new-address-title", outcome.newAddress
            ? cockpit.format(_("This system now answers at $0, the source system's former address."), outcome.newAddress)
            : "");
        setText("result-close-text", _("Upon clicking “Close,” the wizard will terminate, leading to the opening of the login page for the designated target system.") +
                (outcome.newAddress ? " " + cockpit.format(_("It opens at $0."), outcome.newAddress) : ""));
    }

    // Where "Close" goes: the login page of this system, at its new address
    // after a Swap (the same scheme and port as now).
    function loginUrl() {
        const here = window.top.location;
        if (!S.newAddress)
            return "/";
        const host = S.newAddress.includes(":") ? "[" + S.newAddress + "]" : S.newAddress;
        return here.protocol + "//" + host + (here.port ? ":" + here.port : "") + "/";
    }

    function close() {
        if (S.closing)
            return;
        S.closing = true;
        setBusy(_("Closing…"));
        const path = S.jobPath;
        const url = loginUrl();
        // Already acknowledged elsewhere: nothing left to clear.
        const gone = ex => ex && (ex.name === "org.freedesktop.DBus.Error.UnknownObject" ||
                                  ex.name === "org.freedesktop.DBus.Error.UnknownMethod" ||
                                  ex.name === ERROR_PREFIX + "NoJob");
        const ack = path
            ? call(path, JOB_IFACE, "Acknowledge", [], { type: "" }).catch(ex => { if (!gone(ex)) throw ex })
            : Promise.resolve();
        ack.then(() => {
            forget(path);
            detachJob();
            // The login page of this system: end the session, then load the
            // top-level page, which asks for a login.
            cockpit.logout(false);
            window.setTimeout(() => { window.top.location.href = url }, 300);
        }).catch(ex => {
            S.closing = false;
            setBusy(null);
            showError(ex);
        });
    }

    /* ------------------------------------------------------------ wiring */

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

    function init() {
        // The static texts of index.html marked translate="yes", in the
        // user's language (po.js); whitespace as in the template (po.mjs).
        for (const e of document.querySelectorAll('[translate="yes"]'))
            e.textContent = e.textContent.replace(/\s+/g, " ").trim();
        cockpit.translate();
        // The page's language as po.js set it (Cockpit's language cookie),
        // for screen readers and hyphenation.
        document.documentElement.lang = cockpit.language;
        $("btn-next").addEventListener("click", next);
        $("btn-back").addEventListener("click", back);
        $("btn-execute").addEventListener("click", () => { if (!S.busy) execute() });
        $("btn-close").addEventListener("click", close);
        $("exec-resume").addEventListener("click", () => { if (!S.busy) resume() });
        $("exec-abandon").addEventListener("click", () => { if (!S.busy) askAbandon() });
        $("exec-abandon-yes").addEventListener("click", () => { if (!S.busy) abandon() });
        $("exec-abandon-no").addEventListener("click", () => {
            show("exec-abandon-confirm", false);
            $("exec-abandon").focus();
        });
        for (const key of OPTION_KEYS)
            setText("opt-desc-" + key, M.OPTIONS[key].description);
        $("ferry-retry").addEventListener("click", () => start());
        $("ferry-steps-toggle").addEventListener("click", () => toggleSteps($("ferry-steps-toggle").getAttribute("aria-expanded") !== "true"));
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

    if (document.readyState === "loading")
        document.addEventListener("DOMContentLoaded", init);
    else
        init();
}());
