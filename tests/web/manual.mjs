// The sentences of the appliance's administrator manual, chapter "Wizard
// for Migrating the System", that the wizard must show verbatim. Copied
// from the manual (shared/seed/administrator-manual-migration-wizard.txt)
// into the test on purpose: the test does not read the manual at run
// time, so a change of either side shows up as a failure here.
//
// Where the manual's text follows a colon ("Swap Configuration: if active,
// ...", "Admin User Password: you need to enter ..."), the page shows it as
// a sentence of its own with the first letter capitalised (cap() below).
export const cap = s => s.charAt(0).toUpperCase() + s.slice(1);

export const MANUAL = {
    // Step 1: "the overarching information expounded upon earlier".
    welcome: [
        'The system migration wizard is a procedure accessible though the Admin menu, facilitating the copy of settings, data, and licences. This enables seamless transitions or migrations from one virtualization system to another, or more commonly, facilitates upgrades to a more contemporary subsystem.',
        'As described in the procedural guidelines, in compliance with the GDPR, CCPA, calOPPA, PIPEDA, LGPD, PDP, ePrivacy, etc., in order to guarantee the protection of the user data, servers must always be kept up-to-date, not only at the application level, but also using up-to-date operating systems with the latest security patches.',
        'Hardware systems equipped with the latest subsystems are available through your dealer.',
        'The process involves reconfiguring, swapping configurations, and copying data even on high-availability systems equipped with data replication mechanisms. Consequently, we strongly recommend, before proceeding with migration, to undertake a complete data backup and possibly, on virtualised systems, a snapshot of the virtual machine prior to initiating the migration process. This precautionary measure aims to facilitate service restoration in the event of unforeseen issues arising during the migration such as power failures, inadvertent browser or page closure, sudden PC shutdown, etc…',
        'The migration uses TCP-IP ports 80, 443 and 3306. It is imperative to verify the openness of these ports between the two systems engaged in the migration before proceeding.',
    ],
    // Step 2.
    addressLabel: 'IP Address of the Source System',
    passwordLabel: 'Admin User Password',
    sourceWarning: 'Warning. All local data will be deleted and overwritten. The copy is made using port 3306 and be sure it is open.',
    addressHelp: cap('specify the IP address of the source system from which the data is to be copied.'),
    passwordHelp: cap('you need to enter Admin User’s password for security reasons.'),
    // Step 3.
    infoLabels: ['License GUID', 'Host Name', 'Domain Name', 'IP Address', 'Server Role'],
    ha: 'The system is in high availability',
    standalone: 'The system is a standalone type',
    dnsIntro: 'Before continuing and in order not to create disruptions, it is recommended to change the DNS configuration so that:',
    dnsPoints: (domain, to, from) => `– The domain ${domain} points to the IP address ${to} and no longer to ${from}.`,
    dnsNoLonger: (address, lb) => `– The IP address ${address} is no longer defined for the domain ${lb}.`,
    dnsOutro: 'Please allow for the DNS propagation period before proceeding to the next step.',
    // Step 4.
    options: {
        'Swap Configuration': cap('if active, it swaps the ‘System Settings’ configuration between the two systems involved. Conversely, in an inactive state, the operation exclusively copies basic configurations from the source system to the present system and will exclude the following parameters related to: Network, DNS, Web server, round-robin host, load balancing domain, send or receive data from a remote system, FTP for data backup.'),
        'Migrate License': cap('when activated, this process facilitates the license transfer from the source system to the present system while concurrently invalidating the license within the source system. Activation occurs exclusively under the condition that the current system does not have a license, and simultaneously, the source system has an active Maintenance Contract in place.'),
        'Copy User Traffic Logs': cap('if active, it copies the files containing user traffic logs.'),
    },
    // Step 5.
    confirmWarning: 'Warning! Please note that the procedure is irreversible and cannot be interrupted once initiated. During this critical phase, you are advised against closing the page, interrupting, or powering off the computer.',
    execute: 'Execute',
    // Step 6.
    estimateNote: 'The estimated time provided is subject to variation and may not precisely reflect the actual duration. The accuracy of the estimation is heavily contingent upon the speed at which the read and write processes on the disks transpire.',
    // The eleven operations, by ferryd's operation id: the manual's first
    // sentence of each bullet.
    operations: {
        'copy-settings': 'Copies the System Settings.',
        'source-maintenance': 'Places the source system under maintenance.',
        'deactivate-replica': 'Deactivates the replica in the source system, exclusively performed in high-reliability scenarios.',
        'copy-data': 'Copies data.',
        'modify-source': 'Modifies the source configuration.',
        reboot: 'Reboots the current and source system only upon activating the “Swap Configuration” checkbox.',
        'copy-data-activate-replica': 'Copies data and activates replica.',
        'update-certificates': 'Updates the certificates.',
        'restart-services': 'Restarts the services.',
        'copy-syslog': 'Copies the syslog data.',
        final: 'Final operations.',
    },
    // The rest of a bullet, where the manual has one.
    operationDetails: {
        'source-maintenance': 'For high-availability systems, a temporary removal of the ’round-robin hosts’ from the “Master” of the source system is undertaken.',
        'copy-data': 'Only performed if the source system is not in high availability.',
        'copy-data-activate-replica': 'The process is exclusively performed if the source system is in high availability.',
        'copy-syslog': 'Executed only when the “Copy User Traffic Logs” checkbox is activated.',
        final: 'For high-availability systems, it restores the ’round-robin hosts’ to the “Master” in the source system.',
    },
    congratulations: 'Congratulations! Migration was successfully completed',
    // Step 7.
    success: 'Setup process was successful!',
    revertIntro: 'Now please, in the event you have changed the DNS configuration, please modify the following adjustments to the DNS configuration to ensure:',
    revertDomain: (domain, address) => `– The domain ${domain} is resolved with the IP address ${address}.`,
    revertLb: (lb, address) => `– The domain ${lb} is also resolved with the IP address ${address}.`,
    closeText: 'Upon clicking “Close,” the wizard will terminate, leading to the opening of the login page for the designated target system.',
    close: 'Close',
};

// Checks every sentence of `want` in `text` (the innerText of a step):
// one check each, named by the sentence's first words.
export function checkSentences(check, where, text, want) {
    const flat = text.replace(/\s+/g, ' ');
    for (const s of want)
        check(`${where}: the manual's "${s.length > 70 ? s.slice(0, 67) + '...' : s}"`, flat.includes(s.replace(/\s+/g, ' ')));
}
