/* ferry: step 2 Source (Probe) and step 3 Source Info. */
import { FerryManual as M } from "./manual.js";
import { call } from "./bus.js";
import { $, INTERACTIVE_TIMEOUT_MS, MANAGER_IFACE, MANAGER_PATH, S } from "./constants.js";
import { formatBytes, setText, show, unwrap } from "./dom.js";
import { clearError, setBusy, showError } from "./feedback.js";
import { go } from "./steps.js";
import { infoDnsAdvice, infoPorts, infoSizes } from "./views/view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

/* 2 Source -> Probe */
export function probe() {
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

export function renderSourceInfo() {
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
    infoDnsAdvice.set(advice.items);
    let ring = ha && (p.RingMembers || []).length ? cockpit.format(_("Ring members: $0."), p.RingMembers.join(", ")) : "";
    if (ha && p.MainNode)
        ring += (ring ? " " : "") + cockpit.format(_("Main node: $0."), p.MainNode);
    setText("info-ring", ring);

    infoPorts.set((p.PortChecks || []).map(([port, service, open, detail]) =>
        [port, service, open ? _("open") : cockpit.format(_("closed ($0)"), detail)]));
    infoSizes.set([
        [_("Data"), formatBytes(p.DataBytes)],
        [_("User traffic logs"), formatBytes(p.LogBytes)],
        [_("System Settings"), formatBytes(p.SettingsBytes)],
    ]);
}
