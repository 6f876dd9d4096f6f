/* ferry: step 3 Source Info: what Probe found (step-source.js fills it in). */
import { DescriptionList, DescriptionListDescription, DescriptionListGroup, DescriptionListTerm } from "@patternfly/react-core/dist/esm/components/DescriptionList/index.js";
import { TextInput } from "@patternfly/react-core/dist/esm/components/TextInput/index.js";
import { Title } from "@patternfly/react-core/dist/esm/components/Title/index.js";
import { FerryAlert } from "./ferry-alert.jsx";
import { useStore } from "./store.js";
import { infoDnsAdvice, infoPorts, infoSizes } from "./view-state.js";

/* global cockpit */
const _ = cockpit.gettext;

// The manual's read-only fields: labelled inputs, as in the manual's form.
function ReadOnly({ id, label }) {
    return (
        <DescriptionListGroup>
            <DescriptionListTerm><label htmlFor={id}>{label}</label></DescriptionListTerm>
            <DescriptionListDescription><TextInput id={id} readOnlyVariant="plain" /></DescriptionListDescription>
        </DescriptionListGroup>
    );
}

// The manual writes its advice as lines starting with "– " (in the text).
export function DashList({ id, store }) {
    const items = useStore(store);
    return <ul className="ferry-dash-list" id={id}>{items.map((line, i) => <li key={i}>{"– " + line}</li>)}</ul>;
}

function PortRows() {
    const rows = useStore(infoPorts);
    return (
        <tbody className="pf-v5-c-table__tbody">
            {rows.map(([port, service, state], i) => (
                <tr className="pf-v5-c-table__tr" data-port={String(port)} key={i}>
                    <td className="pf-v5-c-table__td" data-label={_("Port")}>{String(port)}</td>
                    <td className="pf-v5-c-table__td" data-label={_("Service")}>{service}</td>
                    <td className="pf-v5-c-table__td" data-label={_("State")}>{state}</td>
                </tr>
            ))}
        </tbody>
    );
}

function Sizes() {
    const sizes = useStore(infoSizes);
    return (
        <DescriptionList isHorizontal isCompact isFluid className="ferry-sizes" id="info-sizes" aria-label={_("Sizes")}>
            {sizes.map(([label, value]) => (
                <DescriptionListGroup key={label}>
                    <DescriptionListTerm>{label}</DescriptionListTerm>
                    <DescriptionListDescription>{value}</DescriptionListDescription>
                </DescriptionListGroup>
            ))}
        </DescriptionList>
    );
}

export function StepSourceInfo() {
    return (
        <section className="ferry-step" id="step-3" data-step="3" hidden>
            <Title headingLevel="h2" size="xl">{_("Source Info")}</Title>
            {/* The manual's read-only and reported fields. */}
            <DescriptionList isHorizontal isFluid className="ferry-info" id="info-form">
                <ReadOnly id="info-license" label={_("License GUID")} />
                <ReadOnly id="info-host" label={_("Host Name")} />
                <ReadOnly id="info-domain" label={_("Domain Name")} />
                <ReadOnly id="info-address" label={_("IP Address")} />
                <ReadOnly id="info-role" label={_("Server Role")} />
                <ReadOnly id="info-fingerprint" label={_("Certificate")} />
            </DescriptionList>
            <FerryAlert variant="warning" id="info-ha" hidden title={_("The system is in high availability")}>
                <p id="info-dns-intro" />
                <DashList id="info-dns-advice" store={infoDnsAdvice} />
                <p id="info-dns-outro" />
                <p id="info-ring" />
            </FerryAlert>
            <FerryAlert variant="info" id="info-standalone" hidden title={_("The system is a standalone type")} />
            <Title headingLevel="h3" size="md" className="ferry-subheading">{_("Checks and sizes")}</Title>
            <table className="pf-v5-c-table pf-m-compact pf-m-grid-md ferry-table" id="info-ports" aria-label={_("Port checks")}>
                <thead className="pf-v5-c-table__thead">
                    <tr className="pf-v5-c-table__tr">
                        <th className="pf-v5-c-table__th">{_("Port")}</th>
                        <th className="pf-v5-c-table__th">{_("Service")}</th>
                        <th className="pf-v5-c-table__th">{_("State")}</th>
                    </tr>
                </thead>
                <PortRows />
            </table>
            <Sizes />
        </section>
    );
}
