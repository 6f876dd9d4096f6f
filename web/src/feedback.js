/* ferry: errors in words, the error alert and the busy state. */
import { $, ERROR_PREFIX, S } from "./constants.js";
import { setText, show } from "./dom.js";

/* global cockpit */
const _ = cockpit.gettext;

// The named errors of docs/dbus-api.md, in words.
export const ERROR_TITLES = {
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

// A D-Bus error (or a cockpit channel problem) as {title, message, name}.
export function describeError(ex) {
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

export function showError(ex, hint) {
    const e = describeError(ex);
    setText("wizard-error-title", e.title);
    setText("wizard-error-message", hint ? e.message + " " + hint : e.message);
    setText("wizard-error-name", e.name);
    $("wizard-error").dataset.error = e.name;
    show("wizard-error", true);
    return e;
}

export function clearError() {
    show("wizard-error", false);
    delete $("wizard-error").dataset.error;
}

export function setBusy(text) {
    S.busy = !!text;
    setText("busy-text", text || "");
    show("busy", !!text);
    for (const id of ["btn-next", "btn-back", "btn-execute", "btn-close", "result-report-text", "result-report-json", "exec-resume", "exec-abandon", "exec-abandon-yes", "exec-abandon-no"])
        $(id).disabled = !!text;
    for (const id of ["source-address", "source-password", "source-fingerprint"])
        $(id).disabled = !!text;
}
