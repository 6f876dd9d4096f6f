// The migration wizard once in German: a standalone migration clicked
// through all seven steps with Cockpit's display language set to German
// the way Cockpit sets it (the shell's "Display language" dialog writes the
// cookie CockpitLang and localStorage "cockpit.lang", then reloads;
// cockpit-ws passes the cookie on and cockpit-bridge answers the page's
// po.js with po.de.js). Checks the German texts (tests/web/manual-de.mjs,
// copied from po/de.po), that the English ones are gone, <html lang="de">,
// and axe-core on every step (light theme; Confirmation and Result also in
// the dark theme and at 400 px wide, where German's longer words could
// overflow). Run only by tests/web/browser.sh (scenario "de"), which passes
// the common variables of lib.mjs and
//   FERRY_SOURCE_ADDR, FERRY_SOURCE_GUID, FERRY_PASSWORD_FILE,
//   FERRY_WRONG_PASSWORD_FILE
// ferryd runs from the start; the systemd double fails nothing.
import { readFileSync } from 'node:fs';
import { env, T, includes, open } from './lib.mjs';
import { checkSentences } from './manual.mjs';
import { MANUAL_DE as DE, TEXT_DE, checkNoEnglish } from './manual-de.mjs';

const BASE = env('FERRY_BASE_URL');
const SOURCE = env('FERRY_SOURCE_ADDR');
const GUID = env('FERRY_SOURCE_GUID');
const PASSWORD = readFileSync(env('FERRY_PASSWORD_FILE'), 'utf8');
const WRONG = readFileSync(env('FERRY_WRONG_PASSWORD_FILE'), 'utf8');

const { page, check, shot, narrow, language, onStep, text, visible, run } = await open();

const noEnglish = (where, t) => checkNoEnglish(check, where, t);

async function main() {
    // ---- the display language, as Cockpit's shell dialog sets it ---------
    let f = await language(BASE, 'de-de');
    const shellLang = await page.evaluate(() => document.documentElement.lang);
    check(`German: the shell is in German (<html lang="${shellLang}"> from the cookie)`, shellLang === 'de-de');
    const pageLang = await f.evaluate(() => [document.documentElement.lang, window.cockpit.language]);
    // The shell gives its frames the cookie's language ("de-de"); the page
    // itself sets cockpit.language ("de", from po.de.js) when alone.
    check(`German: the page says <html lang="${pageLang[0]}"> and cockpit.language is "${pageLang[1]}" (po.de.js)`,
        /^de(-|$)/.test(pageLang[0]) && pageLang[1] === 'de');
    const navTexts = (await f.locator('#ferry-steps li').allInnerTexts()).map(s => s.replace(/^\d+\s*/, '').trim());
    check(`German: the 7 steps in order: ${navTexts.join(', ')}`, JSON.stringify(navTexts) === JSON.stringify(TEXT_DE.steps));

    // ---- 1 Willkommen ----------------------------------------------------
    await onStep(f, 1);
    let t = await text(f, '#step-1');
    check(`Willkommen: heading "${TEXT_DE.steps[0]}"`, includes(t, TEXT_DE.steps[0]));
    checkSentences(check, 'Willkommen', t, DE.welcome);
    noEnglish('Willkommen', t);
    check(`Willkommen: button "${TEXT_DE.next}"`, (await text(f, '#btn-next')) === TEXT_DE.next);
    await shot('welcome', null, null, { dark: false });
    await f.click('#btn-next');

    // ---- 2 Quelle: a wrong password in words, then the right one ----------
    await onStep(f, 2);
    t = await text(f, '#step-2');
    checkSentences(check, 'Quelle', t, [DE.sourceWarning, DE.addressHelp, DE.passwordHelp]);
    noEnglish('Quelle', t);
    check(`Quelle: fields "${DE.addressLabel}" and "${DE.passwordLabel}"`,
        await f.getByLabel(DE.addressLabel, { exact: true }).isVisible() && await f.getByLabel(DE.passwordLabel, { exact: true }).isVisible());
    await f.fill('#source-address', SOURCE);
    await f.fill('#source-password', WRONG);
    await f.click('#btn-next');
    await f.waitForSelector('#wizard-error:not([hidden])', { timeout: T });
    const title = await text(f, '#wizard-error-title');
    check(`Quelle: a wrong password in German ("${title}")`, title === TEXT_DE.wrongPassword);
    check('Quelle: the named error stays as it is', (await text(f, '#wizard-error-name')) === 'org.ferry.Migration1.Error.AuthenticationFailed');
    await shot('source-wrong-password', null, null, { dark: false });
    await f.fill('#source-password', PASSWORD);
    await f.click('#btn-next');

    // ---- 3 Quellinformationen ----------------------------------------------
    await onStep(f, 3);
    t = await text(f, '#step-3');
    for (const label of DE.infoLabels)
        check(`Quellinformationen: field "${label}"`, await f.getByLabel(label, { exact: true }).evaluate(e => e.readOnly));
    check('Quellinformationen: Lizenz-GUID', (await f.getByLabel(DE.infoLabels[0], { exact: true }).inputValue()) === GUID);
    check(`Quellinformationen: "${DE.standalone}"`, await visible(f, '#info-standalone') && includes(t, DE.standalone));
    await shot('source-info', null, null, { dark: false });
    await f.click('#btn-next');

    // ---- 4 Optionen ----------------------------------------------------------
    await onStep(f, 4);
    t = await text(f, '#step-4');
    for (const o of Object.keys(DE.options))
        check(`Optionen: switch "${o}"`, await f.getByRole('switch', { name: o }).isVisible());
    checkSentences(check, 'Optionen', t, Object.values(DE.options));
    await f.getByRole('switch', { name: Object.keys(DE.options)[1] }).check({ force: true });
    await shot('options', null, null, { dark: false });
    await f.click('#btn-next');

    // ---- 5 Bestätigung ---------------------------------------------------
    await onStep(f, 5);
    t = await text(f, '#step-5');
    checkSentences(check, 'Bestätigung', t, [DE.confirmWarning]);
    noEnglish('Bestätigung', t);
    check(`Bestätigung: button "${DE.execute}"`, (await text(f, '#btn-execute')) === DE.execute);
    const plan = await f.locator('#plan-table tbody tr').allInnerTexts();
    const planIds = await f.locator('#plan-table tbody tr').evaluateAll(l => l.map(e => e.dataset.op));
    // The copy while the source serves (browser.sh makes this target with
    // CopyWhileServing=yes): ferry's own operation first, then the manual's 8.
    check(`Bestätigung: the 9 operations that run, ferry's pre-copy-data first (${planIds.join(' ')})`,
        planIds.length === 9 && planIds[0] === 'pre-copy-data');
    const opDe = id => DE.operations[id] || (id === 'pre-copy-data' ? TEXT_DE.preCopy : undefined);
    for (const id of planIds)
        check(`Bestätigung: ${id} in German`, includes(plan[planIds.indexOf(id)], opDe(id)) &&
            includes(plan[planIds.indexOf(id)], DE.operationDetails[id] || ''));
    const outage = await text(f, '#plan-outage');
    check(`Bestätigung: the unavailable time in German ("${outage}")`,
        outage.startsWith(TEXT_DE.outagePlanned) && includes(outage, DE.operations['source-maintenance'].replace(/\.$/, '')));
    for (const id of planIds)
        check(`Bestätigung: ferryd's detail of ${id} in German`, includes(plan[planIds.indexOf(id)], TEXT_DE.planDetails[id]));
    const skipped = await text(f, '#plan-skipped');
    check(`Bestätigung: the others named as not run, with their conditions in German ("${skipped}")`,
        includes(skipped, TEXT_DE.notRun) && TEXT_DE.notRunConditions.every(c => includes(skipped, c)));
    const checkRows = await f.locator('#plan-checks-table tbody tr').evaluateAll(l =>
        l.map(e => [e.dataset.check, e.querySelector('td').textContent]));
    const titlesDe = Object.fromEntries(checkRows);
    check(`Bestätigung: the pre-flight checks' titles in German (${checkRows.map(r => r[1]).join(', ')})`,
        Object.entries(TEXT_DE.checkTitles).every(([id, de]) => titlesDe[id] === de));
    const confirmText = (await text(f, '#confirm-text')).replace(/\s+/g, ' ');
    check(`Bestätigung: "${confirmText}"`, confirmText === TEXT_DE.confirmText(`desource (${SOURCE})`, await text(f, '#confirm-options')) &&
        includes(confirmText, 'Lizenz migrieren ein'));
    // German words are longer: Confirmation in the dark theme and at 400 px
    // too (no horizontal scrolling, the steps behind the toggle).
    await shot('confirmation');
    await narrow('confirmation', TEXT_DE.steps[4]);

    // ---- 6 Ausführung ----------------------------------------------------
    await f.click('#btn-execute');
    await onStep(f, 6);
    await f.waitForSelector('#exec-ops li.ferry-op', { state: 'attached', timeout: T });
    checkSentences(check, 'Ausführung', await text(f, '#step-6'), [DE.estimateNote]);
    const opLabels = await f.locator('#exec-ops li.ferry-op').evaluateAll(l => l.map(e => [e.dataset.op, e.querySelector('.pf-v5-c-progress__description').textContent]));
    check(`Ausführung: ferry's pre-copy-data and the eleven operations by their German names (${opLabels.length})`,
        opLabels.length === 12 && opLabels[0][0] === 'pre-copy-data' && opLabels.every(([id, label]) => label === opDe(id)));
    await f.waitForSelector('#exec-success:not([hidden])', { timeout: 120000 });
    t = await text(f, '#step-6');
    check(`Ausführung: "${DE.congratulations}"`, includes(t, DE.congratulations));
    const over = await text(f, '#exec-outage');
    check(`Ausführung: the unavailable window is over, in German ("${over}")`, over.startsWith(TEXT_DE.outageOver));
    noEnglish('Ausführung', t);
    // Times and sizes in the page's language, not the browser's (en-US here).
    const clocks = await f.locator('#exec-events .ferry-event-time').allTextContents();
    check(`Ausführung: the event log's times in German form (${clocks.slice(0, 2).join(', ')}...)`,
        clocks.length > 0 && clocks.every(c => /^\d{1,2}:\d{2}:\d{2}$/.test(c)));
    const sizes = (await text(f, '#exec-ops')).match(/\d+[.,]\d (KiB|MiB|GiB)/g) || [];
    check(`Ausführung: sizes with a decimal comma (${sizes.slice(0, 3).join(', ') || 'none with a fraction'})`,
        sizes.every(x => x.includes(',')));
    await f.waitForSelector('#btn-next:not([hidden])', { timeout: T });
    await shot('execution-done', null, null, { dark: false });

    // ---- 7 Ergebnis --------------------------------------------------------
    await f.click('#btn-next');
    await onStep(f, 7);
    t = await text(f, '#step-7');
    checkSentences(check, 'Ergebnis', t, [DE.success, DE.closeText, TEXT_DE.sourceStays]);
    check('Ergebnis: how to undo it, in German', includes(await text(f, '#result-source-undo'), TEXT_DE.undo));
    const finished = await text(f, '#result-summary');
    check(`Ergebnis: the finish time in German form ("${finished.replace(/.*: /, '')}")`,
        /\b\d{1,2}\.\d{1,2}\.\d{4}, \d{1,2}:\d{2}:\d{2}\b/.test(finished) && !/\b(AM|PM)\b/.test(finished));
    noEnglish('Ergebnis', t);
    check(`Ergebnis: "${DE.close}"`, (await text(f, '#btn-close')) === DE.close);
    await shot('result');
    await narrow('result', TEXT_DE.steps[6]);
    await f.click('#btn-close');
    await page.waitForURL(u => new URL(u).pathname === '/', { timeout: T });
    await page.waitForSelector('#login-user-input, #login', { timeout: T }).catch(() => null);
    check('Schließen: the login page of this system', await page.locator('#login-user-input').isVisible());
}

await run(main);
