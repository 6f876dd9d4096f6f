/* ferry: the wizard's step navigation and its footer buttons. */
import { $, S } from "./constants.js";
import { setText, show } from "./dom.js";
import { clearError } from "./feedback.js";

/* global cockpit */

export function go(step) {
    S.step = step;
    clearError();
    for (const sec of document.querySelectorAll(".ferry-step"))
        sec.hidden = Number(sec.dataset.step) !== step;
    // PatternFly's wizard nav: the current step marked, the others
    // shown but not clickable (the steps follow the job, not the user).
    for (const li of document.querySelectorAll("#ferry-steps li")) {
        const n = Number(li.dataset.step);
        const link = li.querySelector("button");
        link.classList.toggle("pf-m-current", n === step);
        link.disabled = n !== step;
        li.classList.toggle("ferry-done", n < step);
        if (n === step) {
            link.setAttribute("aria-current", "step");
            setText("ferry-toggle-num", String(n));
            setText("ferry-toggle-name", link.textContent);
        } else {
            link.removeAttribute("aria-current");
        }
    }
    toggleSteps(false);
    $("ferry-wizard").dataset.step = String(step);
    updateFooter();
    if (step === 2)
        $("source-address").focus();
}

// Below 992 px the step list folds behind a toggle (PatternFly's wizard).
export function toggleSteps(open) {
    const toggle = $("ferry-steps-toggle");
    toggle.classList.toggle("pf-m-expanded", open);
    toggle.setAttribute("aria-expanded", String(open));
    $("ferry-steps-nav").classList.toggle("pf-m-expanded", open);
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
