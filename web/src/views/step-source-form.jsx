/* ferry: step 2 Source: the source's address, the Admin password, its certificate. */
import { Form, FormGroup, FormHelperText } from "@patternfly/react-core/dist/esm/components/Form/index.js";
import { HelperText, HelperTextItem } from "@patternfly/react-core/dist/esm/components/HelperText/index.js";
import { TextInput } from "@patternfly/react-core/dist/esm/components/TextInput/index.js";
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";

/* global cockpit */
const _ = cockpit.gettext;

// One field with its label and help; the input is uncontrolled (step-source.js
// reads it for Probe and clears the password after).
function Field({ id, label, help, ...input }) {
    return (
        <FormGroup label={label} fieldId={id}>
            <TextInput id={id} autoComplete="off" aria-describedby={id + "-help"} {...input} />
            <FormHelperText>
                <HelperText id={id + "-help"}><HelperTextItem>{help}</HelperTextItem></HelperText>
            </FormHelperText>
        </FormGroup>
    );
}

export function StepSource() {
    return (
        <section className="ferry-step" id="step-2" data-step="2" hidden>
            <Title headingLevel="h2" size="xl">{_("Source")}</Title>
            <FerryAlert variant="warning" id="source-warning"
                        title={_("Warning. All local data will be deleted and overwritten. The copy is made using port 3306 and be sure it is open.")}>
                {_("Ports 80 and 443 of the source are checked as well.")}
            </FerryAlert>
            {/* Enter and submit go to ferry.js's next() (its listeners). */}
            <Form className="ferry-form" id="source-form" noValidate>
                <Field id="source-address" name="address" spellCheck="false" maxLength={64} placeholder="192.0.2.10"
                       label={_("IP Address of the Source System")}
                       help={_("Specify the IP address of the source system from which the data is to be copied.")} />
                <Field id="source-password" name="password" type="password" maxLength={1024}
                       label={_("Admin User Password")}
                       help={_("You need to enter Admin User’s password for security reasons. It is used once to log in to the source and is not kept.")} />
                <Field id="source-fingerprint" name="fingerprint" spellCheck="false" maxLength={100} placeholder="SHA256:…"
                       label={_("Certificate fingerprint (optional)")}
                       help={_("As shown on the source system. When given, the password is sent only if the source presents this certificate.")} />
            </Form>
        </section>
    );
}
