/*
 * ferry: the texts of the appliance's administrator manual (chapter
 * "Wizard for Migrating the System") that the wizard shows, verbatim, and
 * the manual's DNS advice filled with the real names and addresses.
 *
 * The manual is the specification of what the administrator reads: keep
 * these strings exactly as it writes them (typographic quotes and all).
 * The texts that are static are in index.html; this file has those that
 * the page composes: the operation names and descriptions of step 6, the
 * option descriptions, and the DNS advice of steps 3 and 7. Where a
 * manual text follows a colon in the manual ("Swap Configuration: if
 * active, ..."), the page shows it as a sentence of its own, so its first
 * letter is capitalised; nothing else is changed.
 */
/* global cockpit */
export const FerryManual = (function () {
    const _ = cockpit.gettext;

    // Step 6 of the manual: the eleven intermediate operations, by the
    // operation ids of ferryd's plan (lib/core/plan.cpp). `name` is the
    // manual's first sentence, `description` the rest of its bullet.
    const OPERATIONS = {
        "copy-settings": { name: _("Copies the System Settings."), description: "" },
        "source-maintenance": {
            name: _("Places the source system under maintenance."),
            description: _("For high-availability systems, a temporary removal of the ’round-robin hosts’ from the “Master” of the source system is undertaken."),
        },
        "deactivate-replica": {
            name: _("Deactivates the replica in the source system, exclusively performed in high-reliability scenarios."),
            description: "",
        },
        "copy-data": { name: _("Copies data."), description: _("Only performed if the source system is not in high availability.") },
        "modify-source": { name: _("Modifies the source configuration."), description: "" },
        reboot: {
            name: _("Reboots the current and source system only upon activating the “Swap Configuration” checkbox."),
            description: "",
        },
        "copy-data-activate-replica": {
            name: _("Copies data and activates replica."),
            description: _("The process is exclusively performed if the source system is in high availability."),
        },
        "update-certificates": { name: _("Updates the certificates."), description: "" },
        "restart-services": { name: _("Restarts the services."), description: "" },
        "copy-syslog": {
            name: _("Copies the syslog data."),
            description: _("Executed only when the “Copy User Traffic Logs” checkbox is activated."),
        },
        final: {
            name: _("Final operations."),
            description: _("For high-availability systems, it restores the ’round-robin hosts’ to the “Master” in the source system."),
        },
    };

    // Step 4 of the manual.
    const OPTIONS = {
        SwapConfiguration: {
            label: _("Swap Configuration"),
            description: _("If active, it swaps the ‘System Settings’ configuration between the two systems involved. Conversely, in an inactive state, the operation exclusively copies basic configurations from the source system to the present system and will exclude the following parameters related to: Network, DNS, Web server, round-robin host, load balancing domain, send or receive data from a remote system, FTP for data backup."),
        },
        MigrateLicense: {
            label: _("Migrate License"),
            description: _("When activated, this process facilitates the license transfer from the source system to the present system while concurrently invalidating the license within the source system. Activation occurs exclusively under the condition that the current system does not have a license, and simultaneously, the source system has an active Maintenance Contract in place."),
        },
        CopyUserTrafficLogs: {
            label: _("Copy User Traffic Logs"),
            description: _("If active, it copies the files containing user traffic logs."),
        },
    };

    // What ferryd's DnsAdvice / DnsRevertAdvice lines say, read back into
    // names and addresses (lib/appliance/appliance_rules.cpp,
    // lib/core/ring.cpp word them).
    function dnsFacts(source) {
        const facts = { name: "", other: "", address: source.address || "", lb: "" };
        for (const line of source.dnsAdvice || []) {
            let m = /^Point (\S+) at (\S+) \(another node of the ring\) instead of (\S+) while/.exec(line);
            if (m) {
                facts.name = m[1];
                facts.other = m[2];
                facts.address = m[3];
            }
            m = /^Remove (\S+) from the load-balancing domain (\S+?)\.$/.exec(line);
            if (m) {
                facts.address = facts.address || m[1];
                facts.lb = m[2];
            }
        }
        for (const line of source.dnsRevertAdvice || []) {
            let m = /^Point (\S+) back at (\S+) \(/.exec(line);
            if (m) {
                facts.name = facts.name || m[1];
                facts.address = m[2];
            }
            m = /^Add (\S+) back to the load-balancing domain (\S+?)\.$/.exec(line);
            if (m)
                facts.lb = facts.lb || m[2];
        }
        if (!facts.name)
            facts.name = source.domainName || source.hostName || "";
        if (!facts.other && source.mainNode && source.mainNode !== facts.address)
            facts.other = source.mainNode;
        if (!facts.other)
            facts.other = (source.ringMembers || []).find(m => m !== facts.address) || "";
        return facts;
    }

    // Step 3 of the manual, "The system is in high availability": the
    // example with the real names and addresses. {intro, items, outro}.
    function haAdvice(source) {
        const f = dnsFacts(source);
        const items = [];
        if (f.name && f.other)
            items.push(cockpit.format(_("The domain $0 points to the IP address $1 and no longer to $2."), f.name, f.other, f.address));
        if (f.lb)
            items.push(cockpit.format(_("The IP address $0 is no longer defined for the domain $1."), f.address, f.lb));
        return {
            intro: _("Before continuing and in order not to create disruptions, it is recommended to change the DNS configuration so that:"),
            items,
            outro: _("Please allow for the DNS propagation period before proceeding to the next step."),
        };
    }

    // Step 7 of the manual: the HA revert advice, filled in the same way.
    function revertAdvice(source) {
        const f = dnsFacts(source);
        const items = [];
        if (f.name)
            items.push(cockpit.format(_("The domain $0 is resolved with the IP address $1."), f.name, f.address));
        if (f.lb)
            items.push(cockpit.format(_("The domain $0 is also resolved with the IP address $1."), f.lb, f.address));
        return {
            intro: _("Now please, in the event you have changed the DNS configuration, please modify the following adjustments to the DNS configuration to ensure:"),
            items,
        };
    }

    // ferryd's remedies are written for ferryctl and busctl users; the page
    // names its own buttons instead of D-Bus methods.
    function pageRemedy(text) {
        return String(text || "")
                .replace(/\b(call|calling|run) Resume\(\)/g, "select “Resume”")
                .replace(/\bResume\(\)/g, "“Resume”")
                .replace(/\b(call|calling) Acknowledge\(\)/g, "select “Abandon”")
                .replace(/\bAcknowledge\(\)/g, "“Abandon”");
    }

    return { OPERATIONS, OPTIONS, haAdvice, revertAdvice, dnsFacts, pageRemedy };
}());
