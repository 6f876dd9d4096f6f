// The migration wizard (web/) clicked through an HA migration in headless
// Chromium, against cockpit-ws and the real ferryd of the rig that
// tests/web/browser.sh builds: the source B is one node of a real MariaDB
// ring A -> B -> C -> A (A is the ring's Main node); the target T takes B's
// place. The reboot of both systems is played by the rig when asked
// ("reboot"): ferryd goes away and comes back with a new boot id, and the
// page must follow the job across it by itself. Steps 1 to 5 are clicked
// through in German first (Cockpit's display language set as its shell
// does; nothing started), and the Result step is shown once more in German
// before Close (tests/web/manual-de.mjs). Run only by that script,
// which passes the common variables of lib.mjs and
//   FERRY_HA_A, FERRY_HA_B, FERRY_HA_C   the ring's addresses (B: source)
//   FERRY_HA_LB                          the load-balancing domain
//   FERRY_SOURCE_GUID, FERRY_PASSWORD_FILE
// Prints "ok: ..." / "NOT OK: ..." per check; exits 0 when all passed.
import { readFileSync } from 'node:fs';
import { env, TEXT, T, includes, open } from './lib.mjs';
import { MANUAL, checkSentences } from './manual.mjs';
import { MANUAL_DE as DE, TEXT_DE, checkNoEnglish } from './manual-de.mjs';

const BASE = env('FERRY_BASE_URL');
const A = env('FERRY_HA_A');
const B = env('FERRY_HA_B');
const C = env('FERRY_HA_C');
const LB = env('FERRY_HA_LB');
const GUID = env('FERRY_SOURCE_GUID');
const PASSWORD = readFileSync(env('FERRY_PASSWORD_FILE'), 'utf8');
const DOMAIN = 'example.test'; // the rig's Domain Name (tests/rig/appliance.sh)

// The manual's DNS advice (steps 3 and 7) with the rig's names and
// addresses: users go to the Main node A while B is away; afterwards this
// system answers at B's address. The same in German (po/de.po).
const DNS_ADVICE = [MANUAL.dnsPoints(DOMAIN, A, B), MANUAL.dnsNoLonger(B, LB)];
const DNS_REVERT_ADVICE = [MANUAL.revertDomain(DOMAIN, B), MANUAL.revertLb(LB, B)];
const DNS_ADVICE_DE = [DE.dnsPoints(DOMAIN, A, B), DE.dnsNoLonger(B, LB)];
const DNS_REVERT_ADVICE_DE = [DE.revertDomain(DOMAIN, B), DE.revertLb(LB, B)];
const SWAP_REASON = "The source is in high availability: the replication ring addresses each node by its IP " +
    "address, so this system must take over the source's configuration.";
// The operations of an HA job with Swap (forced), License and Logs.
const HA_OPS = ['copy-settings', 'source-maintenance', 'deactivate-replica', 'modify-source', 'reboot',
    'copy-data-activate-replica', 'update-certificates', 'restart-services', 'copy-syslog', 'final'];

const { page, ok, check, log, shot, frame, language, onStep, text, visible, ask, run } = await open();

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// The event log is in a closed <details>: its texts are read from the DOM.
const eventTexts = (f, type) => f.locator(`#exec-events li[data-type="${type}"]`).evaluateAll(l => l.map(e => e.textContent));
const opStates = f => f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => `${e.dataset.op}=${e.dataset.state}`));

// Steps 1 to 5 for the HA source in German (Cockpit's display language set
// as the shell does), up to Confirmation; nothing is started, so the
// English run that follows begins afresh on Welcome.
async function germanUpToConfirmation() {
    const f = await language(BASE, 'de-de');
    await onStep(f, 1);
    await f.click('#btn-next');
    await onStep(f, 2);
    await f.fill('#source-address', B);
    await f.fill('#source-password', PASSWORD);
    await f.click('#btn-next');

    await onStep(f, 3);
    let t = await text(f, '#step-3');
    checkSentences(check, 'HA, German: Quellinformationen', t, [DE.ha, DE.dnsIntro, DE.dnsOutro]);
    const advice = await f.locator('#info-dns-advice li').allInnerTexts();
    check(`HA, German: Quellinformationen, the DNS advice with the rig's names:\n        ${advice.join('\n        ')}`,
        same(advice, DNS_ADVICE_DE));
    check(`HA, German: no "${DE.standalone}"`, !await visible(f, '#info-standalone'));
    checkNoEnglish(check, 'HA, German: Quellinformationen', t);
    await shot('de-source-info', f, '#info-ha', { dark: false });
    await f.click('#btn-next');

    await onStep(f, 4);
    t = await text(f, '#step-4');
    checkSentences(check, 'HA, German: Optionen', t, Object.values(DE.options));
    check('HA, German: Optionen, Konfiguration tauschen on and disabled (forced)',
        await f.isChecked('#opt-swap') && await f.isDisabled('#opt-swap'));
    const reasonDe = await text(f, '#opt-swap-reason');
    check(`HA, German: Optionen, ferryd's reason translated ("${reasonDe}")`, reasonDe === TEXT_DE.swapReasonHa);
    await f.click('#btn-next');

    await onStep(f, 5);
    t = await text(f, '#step-5');
    checkSentences(check, 'HA, German: Bestätigung', t, [DE.confirmWarning]);
    const row = async id => (await f.locator(`#plan-table tbody tr[data-op="${id}"]`).innerText()).replace(/\s+/g, ' ');
    for (const [id, want] of [['deactivate-replica', [DE.operations['deactivate-replica']]],
        ['copy-data-activate-replica', [DE.operations['copy-data-activate-replica'], DE.operationDetails['copy-data-activate-replica']]],
        ['source-maintenance', [DE.operationDetails['source-maintenance']]],
        ['final', [DE.operationDetails.final]],
        ['reboot', [DE.operations.reboot]]]) {
        const r = await row(id);
        check(`HA, German: Bestätigung, ${id} ("${r.slice(0, 90)}...")`, want.every(w => includes(r, w)));
    }
    check(`HA, German: the button "${DE.execute}"`, (await text(f, '#btn-execute')).trim() === DE.execute);
    checkNoEnglish(check, 'HA, German: Bestätigung', t);
    await shot('de-confirmation', null, null, { dark: false });
}

// Step 7 again after the English checks, in German: the revert advice comes
// from the finished job (ferryd), the sentences from po/de.po.
async function germanResult() {
    const f = await language(BASE, 'de-de');
    await onStep(f, 6);
    await f.waitForSelector('#exec-success:not([hidden])', { timeout: T });
    check(`HA, German: Ausführung, "${DE.congratulations}"`, includes(await text(f, '#exec-success'), DE.congratulations));
    await f.click('#btn-next');
    await onStep(f, 7);
    const t = await text(f, '#step-7');
    checkSentences(check, 'HA, German: Ergebnis', t, [DE.success, DE.revertIntro, DE.closeText]);
    const revert = await f.locator('#result-dns-advice li').allInnerTexts();
    check(`HA, German: Ergebnis, the revert advice:\n        ${revert.join('\n        ')}`, same(revert, DNS_REVERT_ADVICE_DE));
    check(`HA, German: Ergebnis, "${DE.close}"`, (await text(f, '#btn-close')) === DE.close);
    checkNoEnglish(check, 'HA, German: Ergebnis', t);
    await shot('de-result', f, '#result-dns', { dark: false });
    return f;
}

async function main() {
    await germanUpToConfirmation();

    // ---- 1 Welcome (ferryd runs already), in English ------------------------
    let f = await language(BASE, 'en-us');
    await onStep(f, 1);
    const navTexts = (await f.locator('#ferry-steps li').allInnerTexts()).map(s => s.replace(/^\d+\s*/, '').trim());
    check(`HA: the 7 steps in order: ${navTexts.join(', ')}`, same(navTexts, TEXT.steps));
    let t = await text(f, '#step-1');
    checkSentences(check, 'HA Welcome', t, MANUAL.welcome);
    await shot('welcome');
    await f.click('#btn-next');

    // ---- 2 Source: B, one node of the ring -------------------------------
    await onStep(f, 2);
    t = await text(f, '#step-2');
    checkSentences(check, 'HA Source', t, [MANUAL.sourceWarning, MANUAL.addressHelp, MANUAL.passwordHelp]);
    await f.fill('#source-address', B);
    await f.fill('#source-password', PASSWORD);
    await shot('source');
    await f.click('#btn-next');

    // ---- 3 Source Info -------------------------------------------------------
    await onStep(f, 3);
    check('HA: the password field is cleared after Probe', (await f.inputValue('#source-password')) === '');
    t = await text(f, '#step-3');
    for (const label of TEXT.infoLabels)
        check(`HA Source Info: read-only field "${label}"`, await f.getByLabel(label, { exact: true }).evaluate(e => e.readOnly));
    const value = label => f.getByLabel(label, { exact: true }).inputValue();
    check('HA Source Info: License GUID', (await value('License GUID')) === GUID);
    check('HA Source Info: Host Name "nodeb"', (await value('Host Name')) === 'nodeb');
    check(`HA Source Info: Domain Name "${DOMAIN}"`, (await value('Domain Name')) === DOMAIN);
    check(`HA Source Info: IP Address ${B}`, (await value('IP Address')) === B);
    check(`HA Source Info: Server Role "Additional" (got "${await value('Server Role')}")`, (await value('Server Role')) === 'Additional');
    check(`HA Source Info: "${TEXT.ha}"`, await visible(f, '#info-ha') && includes(t, TEXT.ha));
    check(`HA Source Info: no "${TEXT.standalone}"`, !await visible(f, '#info-standalone') && !includes(t, TEXT.standalone));
    const advice = await f.locator('#info-dns-advice li').allInnerTexts();
    check(`HA Source Info: the DNS advice names the domain, the Main node ${A}, the source ${B} and ${LB}:\n        ${advice.join('\n        ')}`,
        same(advice, DNS_ADVICE));
    checkSentences(check, 'HA Source Info', t, [MANUAL.ha, MANUAL.dnsIntro, MANUAL.dnsOutro]);
    const ring = await text(f, '#info-ring');
    check(`HA Source Info: ring members and Main node ("${ring}")`,
        includes(ring, `${A}, ${B}, ${C}`) && includes(ring, `Main node: ${A}`));
    check('HA Source Info: ports 80, 443, 3306 open',
        (await f.locator('#info-ports tbody tr').allInnerTexts()).filter(r => includes(r, 'open')).length === 3);
    await shot('source-info', f, '#info-ha');

    // ---- 4 Options: Swap Configuration forced on ------------------------------
    await f.click('#btn-next');
    await onStep(f, 4);
    t = await text(f, '#step-4');
    for (const o of TEXT.options)
        check(`HA Options: switch "${o}"`, includes(t, o) && await f.getByRole('switch', { name: o }).isVisible());
    check('HA Options: Swap Configuration on and disabled (forced)', await f.isChecked('#opt-swap') && await f.isDisabled('#opt-swap'));
    const swapReason = await text(f, '#opt-swap-reason');
    checkSentences(check, 'HA Options', t, Object.values(MANUAL.options));
    check(`HA Options: with the reason "${swapReason}"`, swapReason === SWAP_REASON && await visible(f, '#opt-swap-reason'));
    check('HA Options: Migrate License available (active contract, unlicensed target)', !await f.isDisabled('#opt-license'));
    await f.getByRole('switch', { name: 'Migrate License' }).check({ force: true });
    check('HA Options: Migrate License switched on, Copy User Traffic Logs on',
        await f.isChecked('#opt-license') && await f.isChecked('#opt-logs'));
    await shot('options', f, '#opt-swap-reason');

    // ---- 5 Confirmation: the HA operations --------------------------------------
    await f.click('#btn-next');
    await onStep(f, 5);
    t = await text(f, '#step-5');
    checkSentences(check, 'HA Confirmation', t, [MANUAL.confirmWarning]);
    check(`HA Confirmation: button "${TEXT.execute}", no Next`, await visible(f, '#btn-execute') && !await visible(f, '#btn-next'));
    const confirmOptions = await text(f, '#confirm-options');
    check(`HA Confirmation: the options ("${confirmOptions}")`,
        confirmOptions === 'Swap Configuration on, Migrate License on, Copy User Traffic Logs on');
    const planIds = await f.locator('#plan-table tbody tr').evaluateAll(l => l.map(e => e.dataset.op));
    check(`HA Confirmation: the ${HA_OPS.length} operations that run, in order (${planIds.join(' ')})`, same(planIds, HA_OPS));
    const row = id => f.locator(`#plan-table tbody tr[data-op="${id}"]`).innerText();
    const deactivate = await row('deactivate-replica');
    check(`HA Confirmation: "${MANUAL.operations['deactivate-replica']}" ("${deactivate.replace(/\s+/g, ' ')}")`,
        includes(deactivate, MANUAL.operations['deactivate-replica']) && includes(deactivate, 'GTID position'));
    const activate = await row('copy-data-activate-replica');
    check(`HA Confirmation: "${MANUAL.operations['copy-data-activate-replica']}" with size and estimate ("${activate.replace(/\s+/g, ' ')}")`,
        includes(activate, MANUAL.operations['copy-data-activate-replica']) && includes(activate, MANUAL.operationDetails['copy-data-activate-replica']) && /\d+(\.\d)? (KiB|MiB|GiB)/.test(activate) && /\d+ (s|min)/.test(activate));
    check('HA Confirmation: the round-robin hosts removed from the Master and restored',
        includes(await row('source-maintenance'), MANUAL.operationDetails['source-maintenance']) && includes(await row('final'), MANUAL.operationDetails.final));
    check(`HA Confirmation: "${MANUAL.operations.reboot}"`, includes(await row('reboot'), MANUAL.operations.reboot));
    const outage = await text(f, '#plan-outage');
    check(`HA Confirmation: the ring keeps serving, the source node's unavailable time ("${outage}")`,
        /^Unavailable time: the other nodes of the ring keep serving guests; the source node is out of service for about \d+ (s|min)/.test(outage));
    const skipped = await text(f, '#plan-skipped');
    check(`HA Confirmation: "${MANUAL.operations['copy-data']}" named as not run ("${skipped}")`, includes(skipped, `${MANUAL.operations['copy-data']} (standalone only)`));
    await shot('confirmation');

    // ---- 6 Execution, across the reboot -------------------------------------------
    await f.click('#btn-execute');
    await onStep(f, 6);
    await f.waitForSelector('#exec-ops li.ferry-op[data-state]', { state: 'attached', timeout: T });
    const bars = await f.locator('#exec-ops li.ferry-op .pf-v5-c-progress__bar:visible').count();
    const notNeeded = await f.locator('#exec-ops li.ferry-op[data-state="skipped"]').evaluateAll(l => l.map(e => e.dataset.op));
    check(`HA Execution: one progress bar per operation that runs (${bars}), "${notNeeded.join(' ')}" not needed`,
        bars === HA_OPS.length && same(notNeeded, ['copy-data']));
    check('HA Execution: "Next" hidden, no Back', !await visible(f, '#btn-next') && !await visible(f, '#btn-back'));
    checkSentences(check, 'HA Execution', await text(f, '#step-6'), [MANUAL.estimateNote]);
    await shot('execution');

    // ferryd and the source's ferry-peer ask logind (the double) to reboot.
    await f.waitForSelector('#exec-rebooting:not([hidden])', { timeout: 120000 });
    check(`HA Execution: "${TEXT.rebooting}"`, includes(await text(f, '#exec-rebooting'), TEXT.rebooting) &&
        (await f.locator('#step-6').getAttribute('data-job-state')) === 'rebooting');
    const before = await opStates(f);
    check(`HA Execution: before the reboot (${before.join(' ')})`,
        ['copy-settings', 'source-maintenance', 'deactivate-replica', 'modify-source'].every(id => before.includes(`${id}=done`)) &&
        before.includes('copy-data-activate-replica=pending') && before.includes('final=pending'));
    check('HA Execution: "Next" hidden while rebooting', !await visible(f, '#btn-next'));
    await shot('execution-rebooting', f, '#exec-rebooting');

    // The rig plays the reboot: ferryd (and everything else) stops; both
    // systems come back with exchanged addresses; ferryd starts with a new
    // boot id. The page is not reloaded: it must follow by itself.
    const connects = Number(await f.locator('#ferry').getAttribute('data-connects'));
    const eventsBefore = Number(await f.locator('#exec-events').getAttribute('data-last-seq'));
    const reboot = ask('reboot', 120);
    const gone = await f.waitForSelector('#ferry-unavailable:not([hidden])', { timeout: 60000 }).then(() => true, () => false);
    if (gone) {
        const msg = await text(f, '#ferry-unavailable');
        check(`HA reboot: while ferryd is away the page says so ("${msg.replace(/\s+/g, ' ')}")`,
            includes(msg, 'rebooting') && (await f.locator('#ferry-unavailable').getAttribute('data-reason')) === 'rebooting');
        await shot('execution-reboot-away');
    } else {
        check('HA reboot: the page noticed that ferryd went away', false);
    }
    await reboot;
    log('the rig played the reboot; ferryd is back');
    await f.waitForFunction(n => Number(document.getElementById('ferry').dataset.connects) > n, connects, { timeout: 30000 });
    await f.waitForSelector('#ferry-wizard:not([hidden])', { timeout: T });
    await onStep(f, 6);
    check(`HA reboot: the page reconnected by itself, on Execution (connects ${connects} -> ${await f.locator('#ferry').getAttribute('data-connects')})`, true);
    // The log continues: GetEvents(0) again on the new connection, then the
    // events after the reboot.
    await f.waitForSelector('#exec-events li[data-type="resumed"]', { state: 'attached', timeout: 60000 });
    const resumed = await eventTexts(f, 'resumed');
    check(`HA reboot: the event log shows the resume after the reboot ("${resumed.join('; ')}")`,
        resumed.some(r => includes(r, 'after a reboot')));
    await f.waitForSelector('#exec-ops li.ferry-op[data-op="reboot"][data-state="done"]', { state: 'attached', timeout: 60000 });
    ok('HA reboot: the operation "reboot" turned done in the page');
    await shot('execution-after-reboot');

    await f.waitForSelector('#exec-success:not([hidden])', { timeout: 180000 });
    t = await text(f, '#step-6');
    check(`HA Execution: "${TEXT.congratulations}"`, includes(t, TEXT.congratulations));
    check('HA Execution: no error shown', !await visible(f, '#exec-error'));
    await f.waitForSelector('#btn-next:not([hidden])', { timeout: T });
    check('HA Execution: "Next" shown after success', await visible(f, '#btn-next'));
    const final = await opStates(f);
    check(`HA Execution: every operation done, copy-data skipped (${final.join(' ')})`,
        same(final.filter(s => !s.endsWith('=done')), ['copy-data=skipped']) && final.length === HA_OPS.length + 1);
    check('HA Execution: overall 100%', (await text(f, '#exec-overall-measure')) === '100%');
    const events = await f.locator('#exec-events li').evaluateAll(l => l.map(e => Number(e.dataset.seq)));
    check(`HA Execution: the event log is complete across the reboot (${events.length} events, ${eventsBefore} before it, no gap)`,
        events.length > eventsBefore && events.every((s, i) => s === i + 1));
    const activated = await eventTexts(f, 'operation-changed');
    check('HA Execution: the log shows "Copies data and activates replica" running and done',
        activated.some(e => includes(e, 'Copies data and activates replica: Running')) &&
        activated.some(e => includes(e, 'Copies data and activates replica: Done')));
    await shot('execution-done');

    // After a real reboot the administrator logs in again in another
    // session: a reload with this browser's storage emptied shows the same
    // view, and the Result below must come from ferryd alone.
    await f.evaluate(() => window.localStorage.clear());
    await page.reload();
    f = await frame();
    await onStep(f, 6);
    await f.waitForSelector('#exec-success:not([hidden])', { timeout: T });
    check(`HA after a reload (storage emptied): on Execution with "${TEXT.congratulations}" and "Next"`,
        includes(await text(f, '#exec-success'), TEXT.congratulations) && await visible(f, '#btn-next'));

    // ---- 7 Result: the DNS change reverted ---------------------------------------------
    await f.click('#btn-next');
    await onStep(f, 7);
    t = await text(f, '#step-7');
    checkSentences(check, 'HA Result', t, [MANUAL.success, MANUAL.revertIntro, MANUAL.closeText]);
    const newAddress = await text(f, '#result-new-address');
    check(`HA Result: this system's new address after the Swap ("${newAddress}")`, includes(newAddress, `now answers at ${B},`));
    check('HA Result: what became of the source and how to undo it',
        includes(await text(f, '#result-source-state'), "this system's former identity") && includes(await text(f, '#result-source-undo'), 'To undo the migration'));
    const summary = await text(f, '#result-summary');
    check(`HA Result: the source named ("${summary}")`, includes(summary, `nodeb (${B})`) && includes(summary, 'Swap Configuration on'));
    check('HA Result: the DNS revert advice shown', await visible(f, '#result-dns'));
    const revert = await f.locator('#result-dns-advice li').allInnerTexts();
    const from = await f.locator('#result-dns-advice').getAttribute('data-from');
    check(`HA Result: the revert advice from the job's Source DnsRevertAdvice (${from}), naming ${DOMAIN}, ${B} and ${LB}:\n        ${revert.join('\n        ')}`,
        from === 'DnsRevertAdvice' && same(revert, DNS_REVERT_ADVICE));
    check(`HA Result: "${TEXT.close}"`, (await text(f, '#btn-close')) === TEXT.close && await visible(f, '#btn-close'));
    const stored = await f.evaluate(() => JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage));
    check('HA: the password is not in the browser storage', !includes(stored, PASSWORD));
    await shot('result', f, '#result-dns');
    check('HA: the shell shows no "Ooops!"', !await page.locator('#navbar-oops').isVisible());
    f = await germanResult();
    await f.click('#btn-close');
    // After the Swap this system answers at B's former address: Close opens
    // the login page there (the rig serves one at B, same port).
    await page.waitForURL(u => new URL(u).hostname === B && new URL(u).pathname === '/', { timeout: T });
    await page.waitForSelector('#login-user-input, #login', { timeout: T }).catch(() => null);
    check(`HA Close: the login page of this system at its new address ${B} (${page.url()})`, await page.locator('#login-user-input').isVisible());
    await shot('after-close-login');
}

await run(main);
