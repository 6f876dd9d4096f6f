/* ferry: step 7 Result and Close. */
import { FerryManual as M } from "./manual.js";
import { FerryOutcome } from "./outcome.js";
import { call, forget, recall } from "./bus.js";
import { ERROR_PREFIX, JOB_IFACE, S } from "./constants.js";
import { el, formatTime, setText, show, unwrap } from "./dom.js";
import { setBusy, showError } from "./feedback.js";
import { detachJob } from "./job-view.js";
import { optionsText } from "./step-plan.js";
import { resultDnsAdvice } from "./views/view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

/* 7 Result */
// What the Result step tells about the source: the job's Source
// property (kept by ferryd for the whole job, also after a reboot and in
// another browser), else what this browser kept at Start.
export function resultSource() {
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

export function renderResult() {
    const job = S.job;
    const info = resultSource();
    const opts = job && job.valid ? unwrap(job.Options) : {};
    const from = info.address ? (info.hostName ? info.hostName + " (" + info.address + ")" : info.address) : _("the source system");
    setText("result-summary", cockpit.format(_("This system was migrated from $0 ($1); finished at $2."),
                                             from, optionsText(opts), formatTime(job && job.valid ? job.FinishedAt : 0)));
    const ha = info.highAvailability;
    show("result-dns", ha);
    if (ha) {
        const advice = M.revertAdvice(info);
        setText("result-dns-intro", advice.intro);
        resultDnsAdvice.set({ from: info.dnsRevertAdvice.length ? "DnsRevertAdvice" : "DnsAdvice", items: advice.items });
    } else {
        resultDnsAdvice.set({ from: "", items: [] });
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

// This system's web panel at ADDRESS, with the scheme and port it is
// reached at now, opened at PATH ("/" is the login page).
export function panelUrl(address, path) {
    const here = window.top.location;
    const host = address.includes(":") ? "[" + address + "]" : address;
    return here.protocol + "//" + host + (here.port ? ":" + here.port : "") + path;
}

// Where "Close" goes: the login page of this system, at its new address
// after a Swap.
export function loginUrl() {
    return S.newAddress ? panelUrl(S.newAddress, "/") : "/";
}

export function close() {
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

// The migration report (Job.GetReport), offered for download before Close
// and while a job has failed: Acknowledge() removes it with the journal.
export function downloadReport(format) {
    const path = S.jobPath;
    if (!path)
        return;
    setBusy(_("Reading the migration report…"));
    call(path, JOB_IFACE, "GetReport", [format], { type: "s" })
            .then(([report]) => {
                setBusy(null);
                const id = path.substring(path.lastIndexOf("/") + 1);
                const type = format === "json" ? "application/json" : "text/plain";
                const a = el("a", { href: URL.createObjectURL(new Blob([report], { type })), download: "ferry-report-" + id + "." + (format === "json" ? "json" : "txt") });
                document.body.appendChild(a);
                a.click();
                a.remove();
                window.setTimeout(() => URL.revokeObjectURL(a.href), 60 * 1000);
            })
            .catch(ex => {
                setBusy(null);
                showError(ex);
            });
}
