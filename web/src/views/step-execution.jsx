/*
 * ferry: step 6 Execution: the overall bar and one PatternFly Progress
 * per operation (job-view.js sets them from the job's properties), the
 * failure with Resume and Abandon, the abandon question, success, the
 * reboot notice and the event log (GetEvents).
 */
import { Button } from "@patternfly/react-core/dist/esm/components/Button/index.js";
import { HelperText, HelperTextItem } from "@patternfly/react-core/dist/esm/components/HelperText/index.js";
import { Progress } from "@patternfly/react-core/dist/esm/components/Progress/index.js";
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";
import { useStore } from "./store.js";
import { events, operations, overall } from "./view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

// A bar's line below it, in PatternFly's helper text (small print).
function Helper({ children }) {
    return <HelperText><HelperTextItem>{children}</HelperTextItem></HelperText>;
}

function OverallProgress() {
    const o = useStore(overall);
    return (
        <Progress id="exec-overall" title={_("Migration")} value={o.pct} variant={o.variant}
                  label={<span id="exec-overall-measure">{o.pct + "%"}</span>}
                  helperText={<Helper><span id="exec-overall-text">{o.text}</span></Helper>} />
    );
}

// An operation that is not needed keeps its name and says so, without a
// bar (ferry.css hides it).
function Operation({ op }) {
    return (
        <li className={"ferry-op ferry-op-" + op.state} data-op={op.id} data-state={op.state || undefined}>
            <Progress id={"exec-op-" + op.id} size="sm" title={op.label} value={op.pct} variant={op.variant}
                      label={<><span className="ferry-op-state">{op.stateText}</span>{op.skipped ? "" : op.pct + "%"}</>}
                      helperText={op.helper ? <Helper>{op.helper}</Helper> : null} />
        </li>
    );
}

function Operations() {
    const ops = useStore(operations);
    return <ol className="ferry-ops" id="exec-ops">{ops.map(op => <Operation op={op} key={op.id} />)}</ol>;
}

function EventLog() {
    const list = useStore(events);
    const last = list.length ? list[list.length - 1].seq : 0;
    return (
        <ol id="exec-events" data-last-seq={String(last)}>
            {list.map(ev => (
                <li data-seq={String(ev.seq)} data-type={ev.type} key={ev.seq}>
                    <span className="ferry-event-time">{ev.time}</span>{" " + ev.text}
                </li>
            ))}
        </ol>
    );
}

export function StepExecution({ actions }) {
    return (
        <section className="ferry-step" id="step-6" data-step="6" hidden>
            <Title headingLevel="h2" size="xl">{_("Execution")}</Title>
            <p className="ferry-muted" id="exec-estimate-note">{_("The estimated time provided is subject to variation and may not precisely reflect the actual duration. The accuracy of the estimation is heavily contingent upon the speed at which the read and write processes on the disks transpire.")}</p>
            <div className="ferry-overall"><OverallProgress /></div>
            {/* The hotspot's unavailable window: expected, now, over (outage.js). */}
            <p id="exec-outage" />
            <FerryAlert variant="danger" id="exec-error" role="alert" hidden
                        title={<span id="exec-error-title">{_("The migration failed")}</span>}
                        actions={<>
                            <Button variant="primary" id="exec-resume" onClick={actions.resume}>{_("Resume")}</Button>
                            <Button variant="secondary" id="exec-abandon" onClick={actions.askAbandon}>{_("Abandon the migration…")}</Button>
                            {/* The failed job's report (how far it got), kept until the job is abandoned. */}
                            <Button variant="link" id="exec-report-text" onClick={actions.reportText}>{_("Download the report (text)")}</Button>
                            <Button variant="link" id="exec-report-json" onClick={actions.reportJson}>{_("Download the report (JSON)")}</Button>
                        </>}>
                <p id="exec-error-message" />
                <p id="exec-error-remedy" />
                <p className="ferry-error-name" id="exec-error-name" />
            </FerryAlert>
            {/* Abandon (Acknowledge of the failed job): what each system is left in, then confirm or go back. */}
            <FerryAlert variant="warning" id="exec-abandon-confirm" role="region" aria-labelledby="exec-abandon-title" hidden
                        title={<span id="exec-abandon-title">{_("Abandon the migration?")}</span>}
                        actions={<>
                            <Button variant="danger" id="exec-abandon-yes" onClick={actions.abandon}>{_("Abandon")}</Button>
                            <Button variant="link" id="exec-abandon-no" onClick={actions.keep}>{_("Keep the migration")}</Button>
                        </>}>
                <p id="exec-abandon-this" />
                <p id="exec-abandon-source" />
                <p id="exec-abandon-cleanup" />
                <p id="exec-abandon-refused" className="ferry-refused" hidden />
            </FerryAlert>
            <FerryAlert variant="success" id="exec-success" role="status" hidden
                        title={_("Congratulations! Migration was successfully completed")} />
            <FerryAlert variant="info" id="exec-rebooting" hidden title={_("This system and the source are rebooting.")}>
                {_("The migration goes on by itself after the reboot; log in again and open Migration to follow it.")}
            </FerryAlert>
            {/* Swap: the address this system takes at the reboot (job-view.js). */}
            <FerryAlert variant="info" id="exec-swap-address" hidden
                        title={<span id="exec-swap-address-title" />}>
                <p id="exec-swap-address-text" />
                <p><a id="exec-swap-address-link" target="_top" rel="noopener" /></p>
            </FerryAlert>
            <Operations />
            <details className="ferry-events">
                <summary>{_("Event log")}</summary>
                <EventLog />
            </details>
        </section>
    );
}
