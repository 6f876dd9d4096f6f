// What the browser specs of tests/web/ share: the environment that
// tests/web/browser.sh passes, headless Chromium through playwright-core,
// counted checks, screenshots, the page's frame inside the Cockpit shell,
// and requests to the rig. Used by wizard.spec.mjs (standalone) and
// wizard-ha.spec.mjs (HA).
//
// Environment (every spec):
//   FERRY_NODE_MODULES   node_modules holding playwright-core
//   FERRY_BASE_URL       cockpit-ws, e.g. http://127.0.0.1:9090
//   FERRY_CHROMIUM       Debian's chromium
//   FERRY_SCREENSHOTS    where every step's screenshot goes
//   FERRY_SHOT_PREFIX    prefix of this spec's screenshot names ("" or "ha-")
//   FERRY_PROFILE        a fresh --user-data-dir
//   FERRY_REQUESTS       ask the rig: write NAME, wait for NAME.done
import { createRequire } from 'node:module';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const env = name => {
    const v = process.env[name];
    if (!v)
        throw new Error(`${name} is not set (run tests/web/browser.sh)`);
    return v;
};

export const FRAME = 'cockpit1:localhost/ferry';
export const T = 20000; // ms for one step to answer

// Texts of the page that are not sentences of the manual (those are in
// manual.mjs, copied from the administrator manual).
export const TEXT = {
    steps: ['Welcome', 'Source', 'Source Info', 'Options', 'Confirmation', 'Execution', 'Result'],
    infoLabels: ['License GUID', 'Host Name', 'Domain Name', 'IP Address', 'Server Role'],
    ha: 'The system is in high availability',
    standalone: 'The system is a standalone type',
    options: ['Swap Configuration', 'Migrate License', 'Copy User Traffic Logs'],
    execute: 'Execute',
    rebooting: 'This system and the source are rebooting.',
    congratulations: 'Congratulations! Migration was successfully completed',
    success: 'Setup process was successful!',
    close: 'Close',
};

export const includes = (hay, needle) => hay.includes(needle);

// Launches Chromium and returns the helpers bound to its page. Exits 77
// (skip) when Chromium cannot be started at all.
export async function open() {
    const require = createRequire(join(env('FERRY_NODE_MODULES'), 'noop.js'));
    const { chromium } = require('playwright-core');
    const SHOTS = env('FERRY_SCREENSHOTS');
    const PREFIX = process.env.FERRY_SHOT_PREFIX || '';
    const REQUESTS = env('FERRY_REQUESTS');

    let failures = 0;
    let shotNo = 0;
    const t0 = Date.now();
    const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
    const tag = PREFIX ? `web ${PREFIX.replace(/-$/, '')}` : 'web';
    const ok = what => console.log(`[${tag} ${elapsed()}] ok: ${what}`);
    const bad = what => { console.log(`[${tag} ${elapsed()}] NOT OK: ${what}`); failures++; };
    const check = (what, cond) => (cond ? ok(what) : bad(what));
    const log = what => console.log(`[${tag} ${elapsed()}]     ${what}`);

    let context;
    try {
        context = await chromium.launchPersistentContext(env('FERRY_PROFILE'), {
            executablePath: env('FERRY_CHROMIUM'),
            args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
            viewport: { width: 1280, height: 960 },
            // The appliances' Cockpit in the container suites answers with
            // its own self-signed certificate, as a new appliance does.
            ignoreHTTPSErrors: true,
        });
    } catch (e) {
        console.log(`CHROMIUM DID NOT START: ${e.message.split('\n')[0]}`);
        console.error(e.stack);
        process.exit(77);
    }
    const page = context.pages()[0] || await context.newPage();
    // axe-core (installed next to playwright-core by browser.sh), run in the
    // page's frame at every screenshot of a wizard step.
    const AXE = readFileSync(join(env('FERRY_NODE_MODULES'), 'axe-core', 'axe.min.js'), 'utf8');
    const axeSeen = new Map(); // rule id -> impact, every rule that failed anywhere
    const pageErrors = [];
    page.on('console', m => console.error(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', e => {
        console.error(`pageerror: ${e.message}`);
        pageErrors.push(e.message);
    });

    const ferryFrame = () => page.frames().find(fr => fr.name() === FRAME);

    // axe-core on the page's frame: no serious or critical violation (the
    // others are printed, not failed: e.g. "region" for the shell's frame).
    async function a11y(name) {
        const f = ferryFrame();
        if (!f)
            return;
        if (!await f.evaluate(() => !!window.axe))
            await f.evaluate(AXE);
        const r = await f.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        const grave = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
        for (const v of r.violations)
            axeSeen.set(v.id, v.impact);
        for (const v of r.violations.filter(v => !grave.includes(v)))
            log(`axe ${name}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help}`);
        check(`axe-core on "${name}": no serious or critical violation${grave.length ? ': ' + grave.map(v => `${v.impact} ${v.id} at ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}: ${v.help}`).join('; ') : ''}`,
            grave.length === 0);
    }

    // Cockpit's dark theme: the browser prefers dark and the shell's style is
    // "auto" (the default), so the shell and the page turn dark.
    async function theme(dark) {
        await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
        const f = ferryFrame();
        if (f)
            await f.waitForFunction(d => document.documentElement.classList.contains('pf-v5-theme-dark') === d, dark, { timeout: T });
    }

    // A screenshot of the whole page in the light theme and one in the dark
    // theme, and axe-core on the page in both ({ dark: false }: light only).
    async function shot(name, f, sel, { dark = true } = {}) {
        if (f && sel)
            await f.locator(sel).scrollIntoViewIfNeeded().catch(() => null);
        shotNo++;
        const file = join(SHOTS, `${PREFIX}${String(shotNo).padStart(2, '0')}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        log(`screenshot ${file}`);
        if (!ferryFrame() || !await ferryFrame().locator('#ferry').count().catch(() => 0))
            return;
        await a11y(name);
        if (!dark)
            return;
        await theme(true);
        await page.screenshot({ path: file.replace(/\.png$/, '-dark.png'), fullPage: true });
        await a11y(`${name}, dark`);
        await theme(false);
    }

    // 400 px wide (a phone): the page has no horizontal scroll bar, the
    // step list is folded behind PatternFly's toggle, which names the step.
    async function narrow(name, stepName) {
        await page.setViewportSize({ width: 400, height: 860 });
        const f = ferryFrame();
        await f.waitForFunction(() => document.documentElement.clientWidth <= 400, null, { timeout: T });
        const fit = await f.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        check(`400 px, ${name}: no horizontal scrolling (content ${fit[0]} px in ${fit[1]} px)`, fit[0] <= fit[1]);
        // A table's cell can be cut off inside a box that hides its
        // overflow without the page scrolling: every visible cell ends
        // inside the window (tables are label/value rows here).
        const cut = await f.evaluate(() => [...document.querySelectorAll('td, th')]
            .filter(c => c.offsetParent && c.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(c => c.dataset.label || c.textContent.trim().slice(0, 20)));
        check(`400 px, ${name}: every table cell inside the window${cut.length ? ' (cut off: ' + cut.slice(0, 5).join(', ') + ')' : ''}`, cut.length === 0);
        const toggle = await f.locator('#ferry-steps-toggle').innerText();
        check(`400 px, ${name}: the steps folded behind the toggle "${toggle.replace(/\s+/g, ' ')}"`,
            await f.locator('#ferry-steps-toggle').isVisible() && !await f.locator('#ferry-steps-nav').isVisible() && toggle.includes(stepName));
        await shot(`${name}-400px`);
        await page.setViewportSize({ width: 1280, height: 960 });
    }

    // The page's frame inside the Cockpit shell (a new one after each reload).
    async function frame(ready = '#ferry-wizard:not([hidden])') {
        const handle = await page.waitForSelector(`iframe[name="${FRAME}"]`, { state: 'attached', timeout: T });
        const f = await handle.contentFrame();
        await f.waitForSelector(ready, { timeout: T });
        return f;
    }

    async function onStep(f, n, timeout = T) {
        await f.waitForSelector(`#ferry-wizard[data-step="${n}"] #step-${n}:not([hidden])`, { timeout });
    }

    // Cockpit's display language as the shell's "Display language" dialog
    // sets it (pkg/shell, Cockpit 287: the cookie CockpitLang and
    // localStorage "cockpit.lang", then a reload; cockpit-ws passes the
    // cookie on and cockpit-bridge answers the page's po.js with po.LANG.js).
    // Opens BASE/ferry in that language and returns the page's new frame.
    async function language(base, lang) {
        await page.goto(`${base}/`);
        await page.waitForSelector('#topnav, nav', { timeout: T });
        await page.evaluate(l => {
            document.cookie = 'CockpitLang=' + encodeURIComponent(l) + '; path=/; expires=Sun, 16 Jul 3567 06:23:41 GMT';
            window.localStorage.setItem('cockpit.lang', l);
        }, lang);
        await page.goto(`${base}/ferry`);
        return frame();
    }

    const text = (f, sel) => f.locator(sel).innerText();
    const visible = (f, sel) => f.locator(sel).isVisible();

    // Asks the rig (tests/web/browser.sh) to do NAME and waits until it is
    // done, at most `seconds`.
    async function ask(request, seconds = 30) {
        writeFileSync(join(REQUESTS, request), '');
        const done = join(REQUESTS, `${request}.done`);
        for (let i = 0; i < seconds * 10 && !existsSync(done); i++)
            await page.waitForTimeout(100);
        if (!existsSync(done))
            throw new Error(`the rig did not do ${request}`);
    }

    // Runs main(), then the closing checks; exits 0 when every check passed.
    async function run(main) {
        try {
            await main();
        } catch (e) {
            bad(`${e.message.split('\n')[0]}`);
            console.error(e.stack);
            await shot('failure').catch(() => null);
        }
        log(`axe-core rules that failed anywhere: ${[...axeSeen].map(([id, impact]) => `${id} (${impact})`).join(', ') || 'none'}`);
        const errors = pageErrors.filter(m => !/LoadUnit/.test(m));
        check(`no uncaught script error in the page (${errors.join('; ') || 'none'})`, errors.length === 0);
        await context.close();
        console.log(`[${tag} ${elapsed()}] ${failures === 0 ? 'all checks passed' : failures + ' check(s) failed'}`);
        process.exit(failures === 0 ? 0 : 1);
    }

    return { page, context, ok, bad, check, log, shot, narrow, frame, language, onStep, text, visible, ask, run };
}
