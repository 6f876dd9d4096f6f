/*
 * ferry: what the page shows instead of the wizard: while it connects to
 * ferryd, and when ferryd is not there (ferry.js start() fills in the
 * reason and retries by itself; "Try again" retries at once).
 */
import { Button } from "@patternfly/react-core/dist/esm/components/Button/index.js";
import { EmptyState, EmptyStateBody, EmptyStateFooter, EmptyStateHeader } from "@patternfly/react-core/dist/esm/components/EmptyState/index.js";
import { Spinner } from "@patternfly/react-core/dist/esm/components/Spinner/index.js";

/* global cockpit */
const _ = cockpit.gettext;

export function Loading() {
    return (
        <EmptyState id="ferry-loading" className="ferry-loading" aria-live="polite">
            <Spinner size="lg" className="ferry-spinner" aria-label={_("Loading")} aria-valuetext={_("Loading")} />
            <EmptyStateHeader headingLevel="h2" titleText={_("Connecting to the migration service…")} />
        </EmptyState>
    );
}

export function Unavailable({ onRetry }) {
    return (
        <EmptyState id="ferry-unavailable" hidden>
            <EmptyStateHeader headingLevel="h2"
                              titleText={<span id="ferry-unavailable-title">{_("The migration service is not available")}</span>} />
            <EmptyStateBody id="ferry-unavailable-text" />
            <EmptyStateFooter>
                <Button variant="primary" id="ferry-retry" onClick={onRetry}>{_("Try again")}</Button>
            </EmptyStateFooter>
        </EmptyState>
    );
}
