// The end of a Swap migration as the administrator's browser sees it, on
// two booted appliances with their real Cockpit (tests/containers/swap.sh,
// web-lib.sh): this system moves to the source's address at the reboot,
// so the page must say where to go before the connection ends, and the
// Result step must name the new address and "Close" must open the login
// page there (the manual: "leading to the opening of the login page for
// the designated target system").
//
//   node swap-containers.spec.mjs before   logged in at the target's
//       address (FERRY_OLD_URL), Welcome; asks the rig to start the job
//       (ferryctl, Swap); Execution names the address the system takes and
//       links to it; then the reboot ends the connection.
//   node swap-containers.spec.mjs after    at the new address
//       (FERRY_NEW_ADDRESS), after the job finished: log in, the Result
//       step, Close, the login page at the new address.
//
// Environment: lib.mjs's, and FERRY_LOGIN_FILE (the password of the
// appliance's user "admin"), FERRY_OLD_URL, FERRY_NEW_ADDRESS.
import { readFileSync } from 'node:fs';
import { open, env, T, TEXT } from './lib.mjs';

const phase = process.argv[2];
const PASSWORD = readFileSync(env('FERRY_LOGIN_FILE'), 'utf8').trim();
const OLD_URL = env('FERRY_OLD_URL');
const OLD_HOST = new URL(OLD_URL).hostname;
const NEW_ADDRESS = env('FERRY_NEW_ADDRESS');
const NEW_URL = `${new URL(OLD_URL).protocol}//${NEW_ADDRESS}:${new URL(OLD_URL).port}`;

const w = await open();
const { page, check, log, shot, frame, onStep, text, visible, ask, run } = w;

// Cockpit's login page as the administrator uses it. Administrative
// access ("superuser"): Cockpit keeps the administrator's choice per user
// in the browser's localStorage and sends it with the login; set as after
// a session where it was turned on (ferryd's polkit actions need it).
async function login(base) {
    await page.goto(`${base}/ferry`);
    await page.waitForSelector('#login-user-input', { timeout: T });
    await page.evaluate(() => window.localStorage.setItem('superuser:admin', 'any'));
    await page.fill('#login-user-input', 'admin');
    await page.fill('#login-password-input', PASSWORD);
    await page.click('#login-button');
    return frame();
}

async function before() {
    const f = await login(OLD_URL);
    await onStep(f, 1);
    check(`logged in to the target's Cockpit at ${OLD_URL}: the wizard on Welcome`, true);
    await shot('welcome', f, null, { dark: false });
    // The job is started by the rig (ferryctl probe/plan/start --swap, as
    // swap.sh checks it): the page follows it by itself.
    await ask('start', 240);
    await onStep(f, 6);
    await f.waitForSelector('#exec-swap-address:not([hidden])', { timeout: T });
    const title = await text(f, '#exec-swap-address-title');
    check(`Execution: the address this system takes at the reboot ("${title}")`,
        title.includes(NEW_ADDRESS) && title.includes(TEXT.options[0]));
    const said = await text(f, '#exec-swap-address-text');
    check(`... that this address (${OLD_HOST}) then belongs to the source ("${said}")`,
        said.includes(OLD_HOST) && said.includes(NEW_ADDRESS));
    const href = await f.getAttribute('#exec-swap-address-link', 'href');
    check(`... and the link to follow the job there (${href})`, href === `${NEW_URL}/ferry`);
    await shot('execution-swap', f, '#exec-swap-address');
    // The reboot of both systems ends the connection; Cockpit's shell
    // says "Disconnected" (it would reconnect to this address, which is
    // now the source's: the reason for the link above).
    await page.getByText('Disconnected', { exact: true }).first().waitFor({ timeout: 300000 });
    check('the reboot ended the connection (Cockpit: "Disconnected")', true);
    await shot('disconnected', null, null, { dark: false });
}

async function after() {
    const f = await login(NEW_URL);
    // A finished job opens on Execution with its outcome, "Next" leads on.
    await onStep(f, 6);
    await f.waitForSelector('#exec-success:not([hidden])', { timeout: T });
    check(`logged in at the new address ${NEW_URL}: Execution, "${TEXT.congratulations}"`,
        (await text(f, '#exec-success')).includes(TEXT.congratulations));
    check('Execution\'s notice of the address change is not shown here (this is the new address)',
        !await visible(f, '#exec-swap-address'));
    await f.click('#btn-next');
    await onStep(f, 7);
    check(`Result: "${TEXT.success}"`, (await text(f, '#result-success')).includes(TEXT.success));
    const title = await text(f, '#result-new-address-title');
    const want = `This system now answers at ${NEW_ADDRESS}, the source system's former address.`;
    check(`Result: "${title}"`, await visible(f, '#result-new-address') && title === want);
    const closeText = await text(f, '#result-close-text');
    check(`Result: Close opens the login page at ${NEW_ADDRESS} ("${closeText}")`,
        closeText.includes(`It opens at ${NEW_ADDRESS}.`));
    await shot('result', f, '#result-new-address');
    await f.getByRole('button', { name: TEXT.close, exact: true }).click();
    await page.waitForURL(u => u.origin === NEW_URL && u.pathname === '/', { timeout: T });
    await page.waitForSelector('#login-user-input', { timeout: T });
    check(`Close: the login page at ${page.url()}`, page.url() === `${NEW_URL}/`);
    await shot('login', null, null, { dark: false });
}

await run(phase === 'before' ? before : phase === 'after' ? after : () => {
    throw new Error(`unknown phase "${phase}" (before, after)`);
});
