/*
 * ferry: the wizard's step list (PatternFly's WizardNav and WizardNavItem)
 * and, below 992 px, the toggle that folds it and names the current step.
 * The page, not the user, decides the step (steps.js go(), from the job's
 * state): every item but the current one is disabled.
 */
import { WizardNav, WizardNavItem } from "@patternfly/react-core/dist/esm/components/Wizard/index.js";
import { createStore, useStore } from "./store.js";

/* global cockpit */
const _ = cockpit.gettext;

// { step: 1..7, expanded: the folded list is open }
export const navState = createStore({ step: 1, expanded: false });

export function stepNames() {
    return [_("Welcome"), _("Source"), _("Source Info"), _("Options"), _("Confirmation"), _("Execution"), _("Result")];
}

export function StepToggle() {
    const { step, expanded } = useStore(navState);
    return (
        <button type="button" id="ferry-steps-toggle"
                className={"pf-v5-c-wizard__toggle" + (expanded ? " pf-m-expanded" : "")}
                aria-expanded={String(expanded)} aria-controls="ferry-steps-nav"
                onClick={() => navState.set(s => ({ ...s, expanded: !s.expanded }))}>
            <span className="pf-v5-c-wizard__toggle-list">
                <span className="pf-v5-c-wizard__toggle-list-item">
                    <span className="pf-v5-c-wizard__toggle-num" id="ferry-toggle-num">{step}</span>
                    {" "}
                    <span id="ferry-toggle-name">{stepNames()[step - 1]}</span>
                </span>
            </span>
            <span className="pf-v5-c-wizard__toggle-icon" aria-hidden="true">▾</span>
        </button>
    );
}

// The list's own <nav> carries the ids the tests and the toggle use
// (WizardNav puts its props on the <nav>, not on the list inside).
export function StepNav() {
    const { step, expanded } = useStore(navState);
    return (
        <nav id="ferry-steps-nav" aria-label={_("Steps")}
             className={"pf-v5-c-wizard__nav" + (expanded ? " pf-m-expanded" : "")}>
            <WizardNav isInnerList id="ferry-steps">
                {stepNames().map((name, i) => (
                    <WizardNavItem key={name} data-step={i + 1} stepIndex={i + 1}
                                   className={i + 1 < step ? "ferry-done" : undefined}
                                   content={name} isCurrent={i + 1 === step} isDisabled={i + 1 !== step} />
                ))}
            </WizardNav>
        </nav>
    );
}
