/*
 * ferry: step 4 Options: the manual's three switches, each with its
 * description and ferryd's reason when it is forced or unavailable
 * (step-plan.js renderOptions() sets them from GetOptions).
 */
import { Switch } from "@patternfly/react-core/dist/esm/components/Switch/index.js";
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryManual as M } from "../manual.js";
import { OPTION_INPUTS, OPTION_KEYS, OPTION_LABELS } from "../constants.js";

/* global cockpit */
const _ = cockpit.gettext;

function Option({ optionKey }) {
    const id = OPTION_INPUTS[optionKey];
    // Uncontrolled (defaultChecked): step-plan.js sets and reads it.
    return (
        <div className="ferry-option" data-key={optionKey}>
            <Switch id={id} role="switch" label={OPTION_LABELS[optionKey]} defaultChecked={false} />
            <p className="ferry-option__desc" id={"opt-desc-" + optionKey}>{M.OPTIONS[optionKey].description}</p>
            <p className="ferry-option__reason" id={id + "-reason"} hidden />
        </div>
    );
}

export function StepOptions() {
    return (
        <section className="ferry-step" id="step-4" data-step="4" hidden>
            <Title headingLevel="h2" size="xl">{_("Options")}</Title>
            <div className="ferry-options">
                {OPTION_KEYS.map(key => <Option key={key} optionKey={key} />)}
            </div>
        </section>
    );
}
