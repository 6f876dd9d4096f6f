/*
 * ferry: the whole page, rendered once at start (index.js): the header,
 * the connecting/unavailable states and PatternFly's wizard built from
 * its parts (WizardNav, WizardBody, WizardFooterWrapper), because the
 * page, not the user, moves between the steps (steps.js go()). The
 * buttons call `actions`, which ferry.js provides.
 */
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { WizardBody } from "@patternfly/react-core/dist/esm/components/Wizard/index.js";
import { FerryAlert } from "./ferry-alert.jsx";
import { Loading, Unavailable } from "./page-status.jsx";
import { StepConfirm } from "./step-confirm.jsx";
import { StepExecution } from "./step-execution.jsx";
import { StepOptions } from "./step-options.jsx";
import { StepResult } from "./step-result-view.jsx";
import { StepSource } from "./step-source-form.jsx";
import { StepSourceInfo } from "./step-source-info.jsx";
import { StepWelcome } from "./step-welcome.jsx";
import { WizardFooter } from "./wizard-footer.jsx";
import { StepNav, StepToggle } from "./wizard-nav.jsx";

/* global cockpit */
const _ = cockpit.gettext;

// The error of the last request (feedback.js showError()).
function WizardError() {
    return (
        <FerryAlert variant="danger" id="wizard-error" role="alert" hidden
                    title={<span id="wizard-error-title" />}>
            <p id="wizard-error-message" />
            <p className="ferry-error-name" id="wizard-error-name" />
        </FerryAlert>
    );
}

export function FerryPage({ actions }) {
    return (
        <div className="ferry-page" id="ferry">
            <header className="ferry-header">
                <Title headingLevel="h1" size="2xl">{_("Migration")}</Title>
                <p className="ferry-subtitle">{_("Move a running hotspot appliance (the source) onto this system.")}</p>
            </header>
            <main className="ferry-main">
                <Loading />
                <Unavailable onRetry={actions.retry} />
                {/* Below 992 px the step list folds behind the toggle, which names the current step. */}
                <div className="pf-v5-c-wizard ferry-wizard" id="ferry-wizard" hidden>
                    <StepToggle />
                    <div className="pf-v5-c-wizard__outer-wrap">
                        <div className="pf-v5-c-wizard__inner-wrap">
                            <StepNav />
                            <WizardBody>
                                <StepWelcome />
                                <StepSource />
                                <StepSourceInfo />
                                <StepOptions />
                                <StepConfirm />
                                <StepExecution actions={actions} />
                                <StepResult actions={actions} />
                                <WizardError />
                            </WizardBody>
                        </div>
                        <WizardFooter actions={actions} />
                    </div>
                </div>
            </main>
        </div>
    );
}
