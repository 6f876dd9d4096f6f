/*
 * ferry: what the page tells the administrator about the state the two
 * systems are left in: after a failed job that is abandoned (Acknowledge),
 * and at the Result step. Written from docs/operations.md ("End state",
 * operations 2 and 5) and docs/dbus-api.md (Acknowledge): keep them in
 * step with what ferryd and ferry-peer really do; the browser test checks
 * the rig against these texts (tests/web/wizard.spec.mjs).
 */
/* global cockpit */
export const FerryOutcome = (function () {
    const _ = cockpit.gettext;

    function opState(ops, id) {
        for (const op of ops || [])
            if (op[0] === id)
                return op[2];
        return "";
    }

    function opFraction(ops, id) {
        for (const op of ops || [])
            if (op[0] === id)
                return Number(op[3]) || 0;
        return 0;
    }

    // A failed job, if it is abandoned now: {thisSystem, source, cleanup}
    // (one paragraph each), from the job's Operations and Options.
    function abandoned(ops, options, ha) {
        const done = id => opState(ops, id) === "done";
        const started = id => ["done", "running", "failed"].includes(opState(ops, id));
        const swap = !!options.SwapConfiguration;

        let thisSystem;
        // copy-settings checks what the source sent before it reports any
        // progress or writes anything: failed at 0 % it wrote nothing.
        // pre-copy-data (ours) replaces this system's databases first.
        if (!started("pre-copy-data") && !done("copy-settings") &&
            opFraction(ops, "copy-settings") === 0)
            thisSystem = _("This system is left as it was: nothing has been copied to it yet.");
        else
            thisSystem = _("This system keeps what has been copied so far and is not a complete copy of the source: restore it from the backup or snapshot made before the migration, or start a new migration.");

        let source;
        if (!started("source-maintenance"))
            source = _("The source system is left as it was and keeps serving its users.");
        else if (swap && done("reboot"))
            source = _("The source system has been rebooted with this system's former settings and address and stays under maintenance: restore it from its backup or snapshot.");
        else if (!swap && started("modify-source"))
            source = _("The source system stays under maintenance with its services stopped: to let it serve again, switch its maintenance off and unmask and start its services (systemctl unmask, systemctl start).");
        else
            source = _("The source system stays under maintenance (its data do not change): to let it serve again, switch its maintenance off.");
        if (ha && started("source-maintenance"))
            source += " " + _("The round-robin hosts are restored on the “Master” of the source system.");

        const cleanup = _("The temporary database account that the migration made on the source is removed and the migration's access to the source is revoked. The migration cannot be resumed afterwards.");
        return { thisSystem, source, cleanup };
    }

    // The Result step: what became of the source and how to undo it, and
    // where this system answers now. {source, undo, newAddress}
    function result(options, src) {
        const swap = !!options.SwapConfiguration;
        if (swap) {
            return {
                source: src.highAvailability
                    ? _("The source system now runs under this system's former identity (its former settings and address) with its own data; it is no longer a node of the replication ring, and this system has taken its place.")
                    : _("The source system now runs under this system's former identity (its former settings and address) with its own data, out of maintenance."),
                undo: _("To undo the migration, restore both systems from the backups or snapshots made before it."),
                newAddress: src.address || "",
            };
        }
        return {
            source: _("The source system stays under maintenance with its services stopped and masked, so that the two systems never serve the same users; its data are unchanged."),
            undo: _("To undo the migration, switch the source's maintenance off and unmask and start its services (systemctl unmask, systemctl start), and restore this system from the backup or snapshot made before the migration."),
            newAddress: "",
        };
    }

    return { abandoned, result };
}());
