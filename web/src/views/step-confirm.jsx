/*
 * ferry: step 5 Confirmation: the warning with the sentence to confirm,
 * the plan's operations with their sizes and estimates, the unavailable
 * window and PlanWithChecks' checks (step-plan.js fills them in).
 */
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";
import { useStore } from "./store.js";
import { confirmText, planChecks, planRows } from "./view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

const td = "pf-v5-c-table__td";
const th = "pf-v5-c-table__th";

// One sentence for the translators: the source in bold where $0 stands,
// the options where $1 does.
function ConfirmText() {
    const c = useStore(confirmText);
    const parts = c ? _("Press the ‘Execute’ button to confirm starting the migration from $0 with these options: $1.").split(/(\$[01])/) : [];
    return (
        <div id="confirm-text">
            {parts.filter(p => p !== "").map((p, i) => {
                if (p === "$0")
                    return <strong id="confirm-source" key={i}>{c.source}</strong>;
                if (p === "$1")
                    return <span id="confirm-options" key={i}>{c.options}</span>;
                return p;
            })}
        </div>
    );
}

function PlanRows() {
    const rows = useStore(planRows);
    return (
        <tbody className="pf-v5-c-table__tbody">
            {rows.map(r => (
                <tr className="pf-v5-c-table__tr" data-op={r.id} key={r.id}>
                    <td className={td} data-label="#">{String(r.n)}</td>
                    <td className={td} data-label={_("Operation")}>{r.title}</td>
                    <td className={td} data-label={_("Details")}>{r.details}</td>
                    <td className={td + " ferry-num"} data-label={_("Size")}>{r.size}</td>
                    <td className={td + " ferry-num"} data-label={_("Estimated time")}>{r.time}</td>
                </tr>
            ))}
        </tbody>
    );
}

function CheckRows() {
    const rows = useStore(planChecks);
    return (
        <tbody className="pf-v5-c-table__tbody">
            {rows.map(c => (
                <tr className="pf-v5-c-table__tr" data-check={c.id} data-verdict={c.verdict} key={c.id}>
                    <td className={td} data-label={_("Check")}>{c.title}</td>
                    <td className={td + " ferry-check-" + c.verdict} data-label={_("Result")}>{c.result}</td>
                    <td className={td} data-label={_("Details")}>{c.message}</td>
                </tr>
            ))}
        </tbody>
    );
}

export function StepConfirm() {
    return (
        <section className="ferry-step" id="step-5" data-step="5" hidden>
            <Title headingLevel="h2" size="xl">{_("Confirmation")}</Title>
            <FerryAlert variant="danger" id="confirm-warning"
                        title={_("Warning! Please note that the procedure is irreversible and cannot be interrupted once initiated. During this critical phase, you are advised against closing the page, interrupting, or powering off the computer.")}>
                <ConfirmText />
            </FerryAlert>
            <table className="pf-v5-c-table pf-m-compact pf-m-grid-md ferry-table" id="plan-table" aria-label={_("Operations")}>
                <thead className="pf-v5-c-table__thead">
                    <tr className="pf-v5-c-table__tr">
                        <th className={th}>{_("#")}</th>
                        <th className={th}>{_("Operation")}</th>
                        <th className={th}>{_("Details")}</th>
                        <th className={th + " ferry-num"}>{_("Size")}</th>
                        <th className={th + " ferry-num pf-m-wrap"}>{_("Estimated time")}</th>
                    </tr>
                </thead>
                <PlanRows />
                <tfoot className="pf-v5-c-table__tfoot">
                    <tr className="pf-v5-c-table__tr">
                        <td className={td} />
                        <th className={th}>{_("Total")}</th>
                        <td className={td} />
                        <td className={td + " ferry-num"} id="plan-total-bytes" />
                        <td className={td + " ferry-num"} id="plan-total-time" />
                    </tr>
                </tfoot>
            </table>
            <p className="ferry-muted" id="plan-skipped" />
            {/* The hotspot's unavailable window (outage.js). */}
            <p id="plan-outage" />
            {/* PlanWithChecks' pre-flight checks (docs/dbus-api.md); hidden
                with an older ferryd that has only Plan. */}
            <div id="plan-checks" hidden>
                <Title headingLevel="h3" size="lg">{_("Checks before the migration")}</Title>
                <FerryAlert variant="danger" id="plan-checks-failed" hidden
                            title={_("A check failed: the migration cannot be executed until its cause is removed. Nothing has been changed.")} />
                <table className="pf-v5-c-table pf-m-compact pf-m-grid-md ferry-table" id="plan-checks-table" aria-label={_("Checks before the migration")}>
                    <thead className="pf-v5-c-table__thead">
                        <tr className="pf-v5-c-table__tr">
                            <th className={th}>{_("Check")}</th>
                            <th className={th}>{_("Result")}</th>
                            <th className={th}>{_("Details")}</th>
                        </tr>
                    </thead>
                    <CheckRows />
                </table>
            </div>
        </section>
    );
}
