/* ferry: a failed job: Abandon (Acknowledge) and Resume. */
import { FerryManual as M } from "./manual.js";
import { FerryOutcome } from "./outcome.js";
import { call, forget } from "./bus.js";
import { $, JOB_IFACE, S } from "./constants.js";
import { setText, show, unwrap } from "./dom.js";
import { describeError, setBusy } from "./feedback.js";
import { detachJob } from "./job-view.js";
import { resultSource } from "./step-result.js";
import { go } from "./steps.js";

/* global cockpit */
const _ = cockpit.gettext;

/* A failed job: Abandon = Acknowledge(), after saying what each system
 * is left in. Refused by ferryd (SourceOutOfRing) for a failed HA job
 * whose source has left the ring and this system has not joined it
 * yet; the page says so before anyone asks (the same window as
 * core::source_out_of_ring) and shows ferryd's refusal otherwise. The
 * page never uses AcknowledgeWithFlags' Force: that is for an
 * administrator repairing the ring by hand (ferryctl acknowledge --force). */
export function jobIsHa() {
    return !!resultSource().highAvailability;
}

export function outOfRing(ops) {
    const st = id => (ops.find(o => o[0] === id) || [])[2] || "";
    return jobIsHa() && ["done", "running", "failed"].includes(st("deactivate-replica")) && st("copy-data-activate-replica") !== "done";
}

export function abandonTexts() {
    const job = S.job;
    return FerryOutcome.abandoned(job.Operations || [], unwrap(job.Options), jobIsHa());
}

export function renderAbandon() {
    const ops = (S.job && S.job.Operations) || [];
    const refused = outOfRing(ops);
    $("exec-abandon").dataset.refused = String(refused);
    if (refused)
        setText("exec-abandon-refused", _("The source system has left the replication ring and this system has not taken its place yet: abandoning now would leave the ring without this node. Remove the cause of the failure and select “Resume”."));
    show("exec-abandon-refused", refused);
    show("exec-abandon-yes", !refused);
}

export function askAbandon() {
    const t = abandonTexts();
    setText("exec-abandon-this", t.thisSystem);
    setText("exec-abandon-source", t.source);
    setText("exec-abandon-cleanup", t.cleanup);
    renderAbandon();
    show("exec-abandon-confirm", true);
    $(S.busy ? "exec-abandon-no" : ($("exec-abandon-yes").hidden ? "exec-abandon-no" : "exec-abandon-yes")).focus();
}

export function abandon() {
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
export function showAbandoned(t) {
    setText("welcome-abandoned-this", t.thisSystem);
    setText("welcome-abandoned-source", t.source);
    setText("welcome-abandoned-cleanup", t.cleanup);
    show("welcome-abandoned", true);
}

export function resume() {
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
