/* ferry: the wizard's step navigation and its footer buttons. */
import { $, S } from "./constants.js";
import { show } from "./dom.js";
import { clearError } from "./feedback.js";
import { navState } from "./views/wizard-nav.jsx";

/* global cockpit */

export function go(step) {
    S.step = step;
    clearError();
    for (const sec of document.querySelectorAll(".ferry-step"))
        sec.hidden = Number(sec.dataset.step) !== step;
    // PatternFly's wizard nav (views/wizard-nav.jsx): the current step
    // marked, the others shown but not clickable (the steps follow the
    // job, not the user); the folded list closed.
    navState.set({ step, expanded: false });
    $("ferry-wizard").dataset.step = String(step);
    updateFooter();
    if (step === 2)
        $("source-address").focus();
}

export function updateFooter() {
    const step = S.step;
    const jobState = S.job && S.job.valid ? S.job.State : "";
    // Back: only before Execute.
    show("btn-back", step >= 2 && step <= 5);
    show("btn-execute", step === 5);
    show("btn-close", step === 7);
    // Next: steps 1-4; in Execution only once the job succeeded.
    show("btn-next", step <= 4 || (step === 6 && jobState === "succeeded"));
}
