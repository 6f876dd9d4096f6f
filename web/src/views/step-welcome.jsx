/* ferry: step 1 Welcome: the manual's Step 1, the backup and ports warnings. */
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";

/* global cockpit */
const _ = cockpit.gettext;

export function StepWelcome() {
    return (
        <section className="ferry-step" id="step-1" data-step="1" hidden>
            <Title headingLevel="h2" size="xl">{_("Welcome")}</Title>
            {/* After an abandon: what the two systems were left in (job-actions.js). */}
            <FerryAlert variant="warning" id="welcome-abandoned" role="status" hidden
                        title={_("The migration was abandoned")}>
                <p id="welcome-abandoned-this" />
                <p id="welcome-abandoned-source" />
                <p id="welcome-abandoned-cleanup" />
            </FerryAlert>
            {/* The manual's Step 1: its overarching information, verbatim. */}
            <div id="welcome-manual">
                <p>{_("The system migration wizard is a procedure accessible though the Admin menu, facilitating the copy of settings, data, and licences. This enables seamless transitions or migrations from one virtualization system to another, or more commonly, facilitates upgrades to a more contemporary subsystem.")}</p>
                <p>{_("As described in the procedural guidelines, in compliance with the GDPR, CCPA, calOPPA, PIPEDA, LGPD, PDP, ePrivacy, etc., in order to guarantee the protection of the user data, servers must always be kept up-to-date, not only at the application level, but also using up-to-date operating systems with the latest security patches.")}</p>
                <p>{_("Hardware systems equipped with the latest subsystems are available through your dealer.")}</p>
            </div>
            <FerryAlert variant="warning" id="welcome-backup"
                        title={_("Make a complete data backup before proceeding with migration.")}>
                <p>{_("The process involves reconfiguring, swapping configurations, and copying data even on high-availability systems equipped with data replication mechanisms. Consequently, we strongly recommend, before proceeding with migration, to undertake a complete data backup and possibly, on virtualised systems, a snapshot of the virtual machine prior to initiating the migration process. This precautionary measure aims to facilitate service restoration in the event of unforeseen issues arising during the migration such as power failures, inadvertent browser or page closure, sudden PC shutdown, etc…")}</p>
            </FerryAlert>
            <FerryAlert variant="info" id="welcome-ports"
                        title={_("The migration uses TCP-IP ports 80, 443 and 3306. It is imperative to verify the openness of these ports between the two systems engaged in the migration before proceeding.")}>
                {_("80 (HTTP) and 443 (HTTPS) for the source's migration service, 3306 for its MariaDB database.")}
            </FerryAlert>
            <p className="ferry-muted" id="welcome-version" />
        </section>
    );
}
