// The migration wizard (web/) in headless Chromium, against cockpit-ws and
// the real ferryd of the rig that tests/web/browser.sh builds: the
// standalone migration (the HA one is wizard-ha.spec.mjs). Run only by
// that script, which passes everything in the environment: the common
// variables of lib.mjs and
//   FERRY_SOURCE_ADDR, FERRY_DEAD_ADDR, FERRY_SOURCE_GUID,
//   FERRY_SOURCE_SETTINGS, FERRY_SOURCE_LICENSE, FERRY_PASSWORD_FILE,
//   FERRY_WRONG_PASSWORD_FILE
// Prints "ok: ..." / "NOT OK: ..." per check; exits 0 when all passed.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { env, TEXT, T, includes, open } from './lib.mjs';
import { MANUAL, checkSentences } from './manual.mjs';

const BASE = env('FERRY_BASE_URL');
const SOURCE = env('FERRY_SOURCE_ADDR');
const DEAD = env('FERRY_DEAD_ADDR');
const GUID = env('FERRY_SOURCE_GUID');
const SOURCE_SETTINGS = env('FERRY_SOURCE_SETTINGS');
const SOURCE_LICENSE = env('FERRY_SOURCE_LICENSE');
const PASSWORD = readFileSync(env('FERRY_PASSWORD_FILE'), 'utf8');
const WRONG = readFileSync(env('FERRY_WRONG_PASSWORD_FILE'), 'utf8');

const { page, ok, check, shot, narrow, frame, onStep, text, visible, ask, run } = await open();
const REQUESTS = env('FERRY_REQUESTS');

async function probeFails(f, address, password, wantName, wantWords, label) {
    await f.fill('#source-address', address);
    await f.fill('#source-password', password);
    await f.click('#btn-next');
    await f.waitForSelector('#wizard-error:not([hidden])', { timeout: T });
    const name = await text(f, '#wizard-error-name');
    const title = await text(f, '#wizard-error-title');
    const message = await text(f, '#wizard-error-message');
    check(`${label}: the named error ${wantName} (got "${name}")`, name === `org.ferry.Migration1.Error.${wantName}`);
    check(`${label}: in words "${wantWords}" (got "${title}: ${message}")`, title === wantWords && message.length > 0);
    check(`${label}: stays on step 2 Source`,
        (await f.locator('#ferry-wizard').getAttribute('data-step')) === '2' && await visible(f, '#step-2'));
    return message;
}

async function main() {
    // ---- the tool entry, then the page inside the shell ------------------
    // First without ferryd: the page says so and offers to try again.
    await page.goto(`${BASE}/ferry`);
    let f = await frame('#ferry-unavailable:not([hidden])');
    const unavailable = await text(f, '#ferry-unavailable');
    check(`without ferryd: "${unavailable.split('\n')[0]}"`, includes(unavailable, 'not available') && !await visible(f, '#ferry-wizard'));
    await shot('service-unavailable');
    await ask('start-ferryd');
    // The page comes up by itself once ferryd owns its name; "Try again"
    // is the fallback.
    const byItself = await f.waitForSelector('#ferry-wizard:not([hidden])', { timeout: 5000 }).then(() => true, () => false);
    if (!byItself) {
        await f.click('#ferry-retry');
        await f.waitForSelector('#ferry-wizard:not([hidden])', { timeout: T });
    }
    ok(`ferryd started: the wizard appears ${byItself ? 'by itself' : 'after "Try again"'}`);
    const nav = page.locator('nav a', { hasText: 'Migration' }).first();
    check('the shell lists the tool "Migration"', await nav.isVisible());
    const navTexts = (await f.locator('#ferry-steps li').allInnerTexts()).map(s => s.replace(/^\d+\s*/, '').trim());
    check(`the 7 steps in order: ${navTexts.join(', ')}`, JSON.stringify(navTexts) === JSON.stringify(TEXT.steps));

    // ---- 1 Welcome ------------------------------------------------------
    await onStep(f, 1);
    let t = await text(f, '#step-1');
    check('Welcome: heading', includes(t, 'Welcome'));
    checkSentences(check, 'Welcome', t, MANUAL.welcome);
    check('Welcome: no Back button', !await visible(f, '#btn-back'));
    await shot('welcome');
    await narrow('welcome', 'Welcome');
    await f.click('#btn-next');

    // ---- 2 Source: bad address, closed ports, wrong password -------------
    await onStep(f, 2);
    t = await text(f, '#step-2');
    checkSentences(check, 'Source', t, [MANUAL.sourceWarning, MANUAL.addressHelp, MANUAL.passwordHelp]);
    check(`Source: fields "${MANUAL.addressLabel}" and "${MANUAL.passwordLabel}"`,
        await f.getByLabel(MANUAL.addressLabel, { exact: true }).isVisible() && await f.getByLabel(MANUAL.passwordLabel, { exact: true }).isVisible());
    await shot('source');
    await probeFails(f, '300.1.2.3', WRONG, 'InvalidArgument', 'The input is not valid', 'bad address');
    await shot('source-bad-address');
    const closed = await probeFails(f, DEAD, WRONG, 'Unreachable', 'The source system cannot be reached', `closed ports at ${DEAD}`);
    check(`closed ports: the message names 3306 ("${closed}")`, includes(closed, '3306'));
    await shot('source-unreachable');
    await probeFails(f, SOURCE, WRONG, 'AuthenticationFailed', 'Wrong Admin password', 'wrong password');
    await shot('source-wrong-password');

    // ---- HA view: for this part only, the source joins a ring and its
    // Maintenance Contract has ended (Migrate License unavailable) -------------
    const replication = join(SOURCE_SETTINGS, 'replication.conf');
    writeFileSync(replication, `[Replication]\nRole=Main\nRingMembers=${SOURCE} 127.0.0.99\n`);
    const license = readFileSync(SOURCE_LICENSE, 'utf8');
    writeFileSync(SOURCE_LICENSE, license.replace(/^ContractEnd=.*$/m, 'ContractEnd=2001-01-01'));
    await f.fill('#source-address', SOURCE);
    await f.fill('#source-password', PASSWORD);
    await f.click('#btn-next');
    await onStep(f, 3);
    check('the password field is cleared after Probe', (await f.inputValue('#source-password')) === '');
    t = await text(f, '#step-3');
    check(`HA: "${TEXT.ha}"`, await visible(f, '#info-ha') && includes(t, TEXT.ha));
    check(`HA: no "${TEXT.standalone}"`, !includes(t, TEXT.standalone));
    const advice = await f.locator('#info-dns-advice li').allInnerTexts();
    check(`HA: the manual's DNS advice with the domain, the other node and the source ("${advice.join(' | ')}")`,
        JSON.stringify(advice) === JSON.stringify([MANUAL.dnsPoints('example.test', '127.0.0.99', SOURCE)]));
    checkSentences(check, 'HA Source Info', t, [MANUAL.ha, MANUAL.dnsIntro, MANUAL.dnsOutro]);
    await shot('source-info-ha', f, '#info-ha');
    await f.click('#btn-next');
    await onStep(f, 4);
    check('HA: Swap Configuration forced on', await f.isChecked('#opt-swap') && await f.isDisabled('#opt-swap'));
    const swapReason = await text(f, '#opt-swap-reason');
    check(`HA: with the reason ("${swapReason}")`, includes(swapReason, 'high availability'));
    const licenseReason = await text(f, '#opt-license-reason');
    check(`expired contract: Migrate License off and disabled with the reason ("${licenseReason}")`,
        !await f.isChecked('#opt-license') && await f.isDisabled('#opt-license') && includes(licenseReason, 'Maintenance Contract'));
    await shot('options-ha');
    await f.click('#btn-next');
    await onStep(f, 5);
    const haPlan = await f.locator('#plan-table tbody tr').allInnerTexts();
    check('HA: the plan deactivates the replica and reboots',
        haPlan.some(r => includes(r, MANUAL.operations['deactivate-replica'])) && haPlan.some(r => includes(r, MANUAL.operations.reboot)));
    await shot('confirmation-ha');
    for (const n of [4, 3, 2]) {
        await f.click('#btn-back');
        await onStep(f, n);
    }
    rmSync(replication);
    writeFileSync(SOURCE_LICENSE, license);

    // ---- a job that fails and is abandoned from the page ----------------------
    // The source's host name is made invalid after Probe: the job fails in
    // its first operation before writing anything (copy-settings refuses
    // it). Abandon says both systems are left as they were; the rig checks
    // that they are (no job, the source not in maintenance, no unit
    // stopped, this system's settings unchanged).
    await f.fill('#source-password', PASSWORD);
    await f.click('#btn-next');
    await onStep(f, 3);
    await f.click('#btn-next');
    await onStep(f, 4);
    await f.click('#btn-next');
    await onStep(f, 5);
    await ask('break-hostname');
    await f.click('#btn-execute');
    await onStep(f, 6);
    await f.waitForSelector('#exec-error:not([hidden])', { timeout: 60000 });
    check(`abandon: the job failed in "${MANUAL.operations['copy-settings']}" ("${await text(f, '#exec-error-title')}")`,
        includes(await text(f, '#exec-error-title'), MANUAL.operations['copy-settings']));
    await f.click('#exec-abandon');
    await f.waitForSelector('#exec-abandon-confirm:not([hidden])', { timeout: T });
    const saidThis = await text(f, '#exec-abandon-this');
    const saidSource = await text(f, '#exec-abandon-source');
    check(`abandon: "${saidThis}"`, includes(saidThis, 'This system is left as it was'));
    check(`abandon: "${saidSource}"`, includes(saidSource, 'The source system is left as it was'));
    await shot('abandon-early-asked', f, '#exec-abandon-confirm');
    await f.click('#exec-abandon-yes');
    await onStep(f, 1);
    await f.waitForSelector('#welcome-abandoned:not([hidden])', { timeout: T });
    const after = await text(f, '#welcome-abandoned');
    check('abandon: back on Welcome, which says what the systems were left in',
        includes(after, 'The migration was abandoned') && includes(after, 'This system is left as it was') && includes(after, 'The source system is left as it was'));
    await shot('abandoned');
    await ask('abandon-state');
    const left = readFileSync(join(REQUESTS, 'abandon-state.done'), 'utf8').trim();
    check(`abandon: the rig finds both systems as the page said (${left})`,
        left === 'job=/ maintenance=no stopped= target-settings=unchanged');
    await ask('fix-hostname');
    await f.click('#btn-next');
    await onStep(f, 2);

    // ---- 3 Source Info (standalone) ----------------------------------------
    check('Back to Source keeps the address', (await f.inputValue('#source-address')) === SOURCE);
    await f.fill('#source-password', PASSWORD);
    await f.press('#source-password', 'Enter');
    await onStep(f, 3);
    t = await text(f, '#step-3');
    for (const label of TEXT.infoLabels)
        check(`Source Info: read-only field "${label}"`, await f.getByLabel(label, { exact: true }).evaluate(e => e.readOnly));
    const value = label => f.getByLabel(label, { exact: true }).inputValue();
    check('Source Info: License GUID', (await value('License GUID')) === GUID);
    check('Source Info: Host Name', (await value('Host Name')) === 'source');
    check('Source Info: Domain Name', (await value('Domain Name')) === 'example.test');
    check('Source Info: IP Address', (await value('IP Address')) === SOURCE);
    check('Source Info: Server Role', (await value('Server Role')) === 'Main');
    check(`Source Info: "${TEXT.standalone}"`, await visible(f, '#info-standalone') && includes(t, TEXT.standalone));
    check('Source Info: not HA', !await visible(f, '#info-ha'));
    check('Source Info: ports 80, 443, 3306 open', (await f.locator('#info-ports tbody tr').allInnerTexts()).filter(r => includes(r, 'open')).length === 3);
    await shot('source-info');
    await narrow('source-info', 'Source Info');

    // ---- 4 Options -----------------------------------------------------------
    await f.click('#btn-next');
    await onStep(f, 4);
    t = await text(f, '#step-4');
    for (const o of TEXT.options)
        check(`Options: switch "${o}"`, includes(t, o) && await f.getByRole('switch', { name: o }).isVisible());
    checkSentences(check, 'Options', t, Object.values(MANUAL.options));
    check('Options: Swap Configuration off and free', !await f.isChecked('#opt-swap') && !await f.isDisabled('#opt-swap'));
    check('Options: Migrate License available', !await f.isDisabled('#opt-license'));
    check('Options: Copy User Traffic Logs on by default', await f.isChecked('#opt-logs'));
    await f.getByRole('switch', { name: 'Migrate License' }).check({ force: true });
    check('Options: Migrate License switched on', await f.isChecked('#opt-license'));
    await shot('options');

    // ---- 5 Confirmation ----------------------------------------------------
    await f.click('#btn-next');
    await onStep(f, 5);
    t = await text(f, '#step-5');
    checkSentences(check, 'Confirmation', t, [MANUAL.confirmWarning]);
    check(`Confirmation: button "${TEXT.execute}", no Next`,
        (await text(f, '#btn-execute')) === TEXT.execute && await visible(f, '#btn-execute') && !await visible(f, '#btn-next'));
    const plan = await f.locator('#plan-table tbody tr').allInnerTexts();
    check(`Confirmation: the plan lists the 8 operations that run (${plan.length})`, plan.length === 8);
    check('Confirmation: the 3 others named as not run', /Not run with these options: .*;.*;/.test(await text(f, '#plan-skipped')));
    check('Confirmation: copy data with its size and estimate',
        plan.some(r => includes(r, MANUAL.operations['copy-data']) && /\d+(\.\d)? (KiB|MiB|GiB)/.test(r) && /\d+ (s|min)/.test(r)));
    const planIds = await f.locator('#plan-table tbody tr').evaluateAll(l => l.map(e => e.dataset.op));
    check(`Confirmation: no HA operations (${planIds.join(' ')})`, !planIds.some(id => includes(id, 'replica')));
    check('Confirmation: the logs are copied', plan.some(r => includes(r, MANUAL.operations['copy-syslog'])));
    for (const id of planIds)
        check(`Confirmation: operation ${id} with the manual's words`,
            includes(plan[planIds.indexOf(id)], MANUAL.operations[id]) && includes(plan[planIds.indexOf(id)], MANUAL.operationDetails[id] || ''));
    check('Confirmation: a total estimate', /\d+ (s|min)/.test(await text(f, '#plan-total-time')));
    const checks = await f.locator('#plan-checks-table tbody tr').evaluateAll(l => l.map(e => e.dataset.check + ':' + e.dataset.verdict));
    check(`Confirmation: PlanWithChecks' pre-flight checks, none failed (${checks.join(' ')})`,
        await visible(f, '#plan-checks') && checks.some(c => c.startsWith('space:')) &&
        checks.some(c => c.startsWith('mariadb-version:')) && !checks.some(c => c.endsWith(':failure')) &&
        !await visible(f, '#plan-checks-failed'));
    const outage = await text(f, '#plan-outage');
    check(`Confirmation: the unavailable time, from the source's maintenance until the services restart ("${outage}")`,
        /^Unavailable time: guests cannot log in for about \d+ (s|min)/.test(outage) &&
        includes(outage, `“${MANUAL.operations['source-maintenance'].replace(/\.$/, '')}”`) &&
        includes(outage, `“${MANUAL.operations['restart-services'].replace(/\.$/, '')}” is done`));
    await shot('confirmation');
    await narrow('confirmation', 'Confirmation');

    // ---- 6 Execution, with a reload in the middle ----------------------------
    // The rig holds a table lock on the source: copy-data waits for it, so
    // the reload below happens while the job is certainly running.
    await ask('hold-copy');
    await f.click('#btn-execute');
    await onStep(f, 6);
    await f.waitForSelector('#exec-ops li.ferry-op[data-op="copy-data"][data-state="running"]', { state: 'attached', timeout: T });
    check('Execution: "Next" hidden while the job runs', !await visible(f, '#btn-next'));
    check('Execution: no Back after Execute', !await visible(f, '#btn-back'));
    checkSentences(check, 'Execution', await text(f, '#step-6'), [MANUAL.estimateNote]);
    const opLabels = await f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => [e.dataset.op, e.querySelector('.pf-v5-c-progress__description').textContent]));
    check(`Execution: the eleven operations named as in the manual (${opLabels.length})`,
        opLabels.length === 11 && opLabels.every(([id, label]) => label === MANUAL.operations[id]));
    const bars = await f.locator('#exec-ops li.ferry-op .pf-v5-c-progress__bar:visible').count();
    const notNeeded = await f.locator('#exec-ops li.ferry-op[data-state="skipped"]').count();
    check(`Execution: one progress bar per operation that runs (${bars}), ${notNeeded} marked not needed`, bars === 8 && notNeeded === 3);
    const remaining = await text(f, '#exec-ops li[data-op="copy-data"] .pf-v5-c-progress__helper-text');
    check(`Execution: the running operation shows its remaining time ("${remaining}")`, /remaining/.test(remaining));
    check(`Execution: the overall remaining time ("${await text(f, '#exec-overall-text')}")`, /remaining/.test(await text(f, '#exec-overall-text')));
    const now = await text(f, '#exec-outage');
    check(`Execution: the source is under maintenance now, the window's rest shown ("${now}")`,
        /^Guests cannot log in now: about \d+ (s|min)/.test(now));
    await shot('execution');
    await narrow('execution', 'Execution');
    const opsBefore = await f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => `${e.dataset.op}=${e.dataset.state}`));
    const seqBefore = Number(await f.locator('#exec-events').getAttribute('data-last-seq'));
    await page.reload();
    f = await frame();
    await onStep(f, 6); // straight to Execution, nothing clicked
    await f.waitForSelector('#exec-events li[data-type="job-started"]', { state: 'attached', timeout: T });
    await f.waitForSelector('#exec-ops li.ferry-op[data-state]', { state: 'attached', timeout: T });
    check('after reload: straight back to Execution with the job running',
        (await f.locator('#step-6').getAttribute('data-job-state')) === 'running');
    const events = await f.locator('#exec-events li').evaluateAll(l => l.map(e => e.dataset.type));
    check(`after reload: the event log rebuilt from GetEvents(0) (${events.length} events, ${seqBefore} before the reload)`,
        events[0] === 'job-started' && events.length >= seqBefore && events.includes('operation-changed'));
    const opsAfter = await f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => `${e.dataset.op}=${e.dataset.state}`));
    check(`after reload: the same operation states (${opsAfter.join(' ')})`, JSON.stringify(opsAfter) === JSON.stringify(opsBefore));
    check('after reload: the skipped operations are marked', opsAfter.filter(s => s.endsWith('=skipped')).length === 3);
    check('after reload: "Next" still hidden', !await visible(f, '#btn-next'));
    await shot('execution-after-reload');
    await ask('release-copy');

    // restart-services fails (the systemd double refuses hotspot-portal).
    await f.waitForSelector('#exec-error:not([hidden])', { timeout: 90000 });
    const errTitle = await text(f, '#exec-error-title');
    const errMessage = await text(f, '#exec-error-message');
    const errRemedy = await text(f, '#exec-error-remedy');
    check(`failure: the operation named ("${errTitle}")`, includes(errTitle, MANUAL.operations['restart-services']));
    check(`failure: message ("${errMessage}") and remedy ("${errRemedy}")`, errMessage.length > 0 && errRemedy.length > 0);
    check('failure: the remedy names no D-Bus method', !/\w\(\)/.test(errRemedy));
    check('failure: Resume and Abandon offered, Next hidden',
        await visible(f, '#exec-resume') && await visible(f, '#exec-abandon') && !await visible(f, '#btn-next'));
    // The failed job's report, before anything is abandoned: how far it got.
    const [failedDownload] = await Promise.all([page.waitForEvent('download', { timeout: T }), f.click('#exec-report-json')]);
    let failedReport = {};
    try {
        failedReport = JSON.parse(readFileSync(await failedDownload.path(), 'utf8'));
    } catch (e) { ok(`(the failed job's report did not parse: ${e.message})`) }
    const failedOps = Array.isArray(failedReport.operations) ? failedReport.operations.length : 0;
    check(`failure: the report downloads (${failedDownload.suggestedFilename()}): state "${failedReport.state}", ` +
          `error in "${(failedReport.error || {}).operation}", ${failedOps} operations`,
        failedReport.state === 'failed' && (failedReport.error || {}).operation === 'restart-services' && failedOps > 0);
    // Abandon first says what each system is left in; the rig checks that
    // the source really is so (Acknowledge changes nothing of it: it only
    // drops the temporary account and the tokens, docs/dbus-api.md).
    await f.click('#exec-abandon');
    await f.waitForSelector('#exec-abandon-confirm:not([hidden])', { timeout: T });
    const abandonThis = await text(f, '#exec-abandon-this');
    const abandonSource = await text(f, '#exec-abandon-source');
    check(`Abandon: this system "${abandonThis}"`, includes(abandonThis, 'not a complete copy of the source'));
    check(`Abandon: the source "${abandonSource}"`, includes(abandonSource, 'stays under maintenance with its services stopped'));
    check('Abandon: offered (a standalone job), with a way back', await visible(f, '#exec-abandon-yes') && await visible(f, '#exec-abandon-no'));
    await ask('source-state');
    const state = readFileSync(join(REQUESTS, 'source-state.done'), 'utf8').trim();
    check(`Abandon: the rig finds the source as described (${state})`,
        state === 'maintenance=yes stopped=hotspot-portal.service,freeradius.service masked=hotspot-portal.service,freeradius.service');
    await shot('execution-abandon-asked', f, '#exec-abandon-confirm');
    await f.click('#exec-abandon-no');
    check('Abandon: "Keep the migration" goes back to the failure', !await visible(f, '#exec-abandon-confirm') && await visible(f, '#exec-resume'));
    check('failure: no Congratulations', !await visible(f, '#exec-success'));
    await shot('execution-failed');
    await page.reload();
    f = await frame();
    await onStep(f, 6);
    await f.waitForSelector('#exec-error:not([hidden])', { timeout: T });
    check('failure: still shown after a reload', includes(await text(f, '#exec-error-title'), MANUAL.operations['restart-services']));
    // ferryd restarts (a new owner of the bus name): the page reconnects
    // by itself and shows the same job again, nothing clicked.
    const eventsBefore = await f.locator('#exec-events li').count();
    const connects = Number(await f.locator('#ferry').getAttribute('data-connects'));
    await ask('restart-ferryd');
    await f.waitForFunction(n => Number(document.getElementById('ferry').dataset.connects) > n, connects, { timeout: T });
    await f.waitForSelector('#ferry-wizard:not([hidden]) #exec-error:not([hidden])', { timeout: T });
    await f.waitForFunction(n => document.querySelectorAll('#exec-events li').length >= n, eventsBefore, { timeout: T });
    check('after a restart of ferryd: the page reconnected and shows the failure again',
        includes(await text(f, '#exec-error-title'), MANUAL.operations['restart-services']) && await visible(f, '#exec-resume'));
    await shot('execution-failed-after-ferryd-restart', f, '#exec-error');
    await ask('fix-systemd');
    await f.click('#exec-resume');
    await f.waitForSelector('#exec-success:not([hidden])', { timeout: 90000 });
    t = await text(f, '#step-6');
    check(`Execution: "${TEXT.congratulations}"`, includes(t, TEXT.congratulations));
    check('Execution: the error is gone', !await visible(f, '#exec-error'));
    await f.waitForSelector('#btn-next:not([hidden])', { timeout: T });
    check('Execution: "Next" shown after success', await visible(f, '#btn-next'));
    const final = await f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => e.dataset.state));
    check(`Execution: every operation done or skipped (${final.join(' ')})`, final.every(s => s === 'done' || s === 'skipped'));
    check('Execution: overall 100%', (await text(f, '#exec-overall-measure')) === '100%');
    const resumed = await f.locator('#exec-events li[data-type="resumed"]').count();
    check('Execution: the event log shows the resume', resumed >= 1);
    await shot('execution-done');

    // ---- 7 Result ------------------------------------------------------------
    await f.click('#btn-next');
    await onStep(f, 7);
    t = await text(f, '#step-7');
    checkSentences(check, 'Result', t, [MANUAL.success, MANUAL.closeText]);
    const sourceState = await text(f, '#result-source-state');
    check(`Result: what became of the source ("${sourceState}")`, includes(sourceState, 'under maintenance with its services stopped and masked'));
    check('Result: how to undo it', includes(await text(f, '#result-source-undo'), 'To undo the migration'));
    check('Result: no new address without Swap', !await visible(f, '#result-new-address'));
    check('Result: no DNS advice for a standalone source', !await visible(f, '#result-dns'));
    check(`Result: "${TEXT.close}"`, (await text(f, '#btn-close')) === TEXT.close && await visible(f, '#btn-close'));
    // The report, downloaded before Close removes it (Job.GetReport).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: T }), f.click('#result-report-json')]);
    const name = download.suggestedFilename();
    let report = {};
    try {
        report = JSON.parse(readFileSync(await download.path(), 'utf8'));
    } catch (e) { ok(`(the report did not parse: ${e.message})`) }
    const tables = Array.isArray(report.tables) ? report.tables : [];
    check(`Result: the report downloads as JSON (${name}): succeeded, ${tables.length} tables with rows and checksums`,
        /^ferry-report-[0-9a-z]+\.json$/.test(name) && report.state === 'succeeded' && tables.length > 0 &&
        tables.every(t => Number.isInteger(t.rows) && t.checksum !== undefined));
    const [textDownload] = await Promise.all([page.waitForEvent('download', { timeout: T }), f.click('#result-report-text')]);
    const reportText = readFileSync(await textDownload.path(), 'utf8');
    check(`Result: the report downloads as text (${textDownload.suggestedFilename()}, ${reportText.length} bytes)`,
        /\.txt$/.test(textDownload.suggestedFilename()) && includes(reportText, SOURCE));
    const stored = await f.evaluate(() => JSON.stringify(window.localStorage) + JSON.stringify(window.sessionStorage));
    check('the password is not in the browser storage', !includes(stored, PASSWORD));
    await shot('result');
    check('the shell shows no "Ooops!" (no script error in any page so far)', !await page.locator('#navbar-oops').isVisible());
    await f.click('#btn-close');
    await page.waitForURL(u => new URL(u).pathname === '/', { timeout: T });
    await page.waitForSelector('#login-user-input, #login', { timeout: T }).catch(() => null);
    check('Close: the login page of this system', await page.locator('#login-user-input').isVisible());
    await shot('after-close-login');
}

await run(main);
