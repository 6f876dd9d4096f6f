/*
 * ferry: the wizard's footer (PatternFly's WizardFooterWrapper): Next,
 * Execute, Close and Back, shown by steps.js updateFooter() and disabled
 * by feedback.js setBusy() while a call is under way, with its spinner.
 */
import { Button } from "@patternfly/react-core/dist/esm/components/Button/index.js";
import { Spinner } from "@patternfly/react-core/dist/esm/components/Spinner/index.js";
import { WizardFooterWrapper } from "@patternfly/react-core/dist/esm/components/Wizard/index.js";

/* global cockpit */
const _ = cockpit.gettext;

export function WizardFooter({ actions }) {
    return (
        <WizardFooterWrapper>
            <Button variant="primary" id="btn-next" onClick={actions.next}>{_("Next")}</Button>
            <Button variant="danger" id="btn-execute" hidden onClick={actions.execute}>{_("Execute")}</Button>
            <Button variant="primary" id="btn-close" hidden onClick={actions.close}>{_("Close")}</Button>
            <Button variant="secondary" id="btn-back" onClick={actions.back}>{_("Back")}</Button>
            <span className="ferry-busy" id="busy" hidden>
                <Spinner size="md" className="ferry-spinner" aria-label={_("Working")} aria-valuetext={_("Working")} />
                {" "}<span id="busy-text" />
            </span>
        </WizardFooterWrapper>
    );
}
