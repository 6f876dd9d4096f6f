/* ferry: ferryd's names on the bus, the options, the page's state (S). */
import { FerryManual as M } from "./manual.js";

/* global cockpit */
const _ = cockpit.gettext;

export const SERVICE = "org.ferry.Migration1";
export const MANAGER_PATH = "/org/ferry/Migration1";
export const MANAGER_IFACE = "org.ferry.Migration1";
export const JOB_IFACE = "org.ferry.Migration1.Job";
export const ERROR_PREFIX = "org.ferry.Migration1.Error.";
export const OPTION_KEYS = ["SwapConfiguration", "MigrateLicense", "CopyUserTrafficLogs"];
export const OPTION_LABELS = {
    SwapConfiguration: M.OPTIONS.SwapConfiguration.label,
    MigrateLicense: M.OPTIONS.MigrateLicense.label,
    CopyUserTrafficLogs: M.OPTIONS.CopyUserTrafficLogs.label,
};
export const OPTION_INPUTS = {
    SwapConfiguration: "opt-swap",
    MigrateLicense: "opt-license",
    CopyUserTrafficLogs: "opt-logs",
};
export const STORAGE_PREFIX = "ferry.job:"; // + job path: what the Result step needs after a reboot
export const INTERACTIVE_TIMEOUT_MS = 300 * 1000; // polkit may ask for a password (docs/dbus-api.md)

// Operations whose Operations[].bytes_* are bytes; the others report
// their progress in steps (e.g. copy-settings: 3 of 3).
export const DATA_OPS =
    [ "pre-copy-data", "copy-data", "copy-data-activate-replica", "copy-syslog" ];
export const OP_STATE_TEXT = {
    pending: _("Waiting"),
    running: _("Running"),
    done: _("Done"),
    failed: _("Failed"),
    skipped: _("Not needed"),
};

export const $ = id => document.getElementById(id);

export const S = {
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
    busy: false,
    closing: false,
    retryTimer: null,
    connects: 0,
    lastJobState: "", // the job's State last rendered: "rebooting" when ferryd goes away for the reboot
    rebootWait: false, // ferryd went away while the job was rebooting
};
