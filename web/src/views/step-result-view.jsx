/* ferry: step 7 Result: success, DNS to revert, the source, the report (step-result.js). */
import { Button } from "@patternfly/react-core/dist/esm/components/Button/index.js";
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";
import { useStore } from "./store.js";
import { resultDnsAdvice } from "./view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

// The manual's lines, each starting with "– "; data-from says which of
// the job's lists they came from (DnsRevertAdvice or DnsAdvice).
function RevertAdvice() {
    const { from, items } = useStore(resultDnsAdvice);
    return (
        <ul className="ferry-dash-list" id="result-dns-advice" data-from={from || undefined}>
            {items.map((line, i) => <li key={i}>{"– " + line}</li>)}
        </ul>
    );
}

export function StepResult({ actions }) {
    return (
        <section className="ferry-step" id="step-7" data-step="7" hidden>
            <Title headingLevel="h2" size="xl">{_("Result")}</Title>
            <FerryAlert variant="success" id="result-success" title={_("Setup process was successful!")}>
                <p id="result-summary" />
            </FerryAlert>
            <FerryAlert variant="warning" id="result-dns" hidden title={_("Revert the DNS configuration")}>
                <p id="result-dns-intro" />
                <RevertAdvice />
            </FerryAlert>
            <FerryAlert variant="info" id="result-source" title={_("The source system")}>
                <p id="result-source-state" />
                <p id="result-source-undo" />
            </FerryAlert>
            <FerryAlert variant="info" id="result-new-address" hidden title={<span id="result-new-address-title" />} />
            <div className="ferry-report" id="result-report">
                <p>{_("The migration report lists what was moved (settings, tables with their row counts and checksums, log files with their digests, license and certificate) and how long each operation took. It is removed when the wizard is closed: download it first to keep it.")}</p>
                <Button variant="secondary" id="result-report-text" onClick={actions.reportText}>{_("Download the report (text)")}</Button>
                <Button variant="secondary" id="result-report-json" onClick={actions.reportJson}>{_("Download the report (JSON)")}</Button>
            </div>
            <p id="result-close-text" />
        </section>
    );
}
