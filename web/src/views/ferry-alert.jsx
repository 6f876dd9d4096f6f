/*
 * ferry: PatternFly's inline Alert as the page uses it: the title a
 * paragraph (the steps' headings stay h2/h3) and no extra words before it
 * (PatternFly's English "Warning alert:" for screen readers is left out:
 * the page says only the manual's sentences, in the user's language).
 * `hidden`, `role` and `data-*` go onto the alert's root element.
 */
import { Alert } from "@patternfly/react-core/dist/esm/components/Alert/index.js";

export function FerryAlert({ variant, title, children, actions, className, ...rest }) {
    return (
        <Alert isInline variant={variant} component="p" variantLabel=""
               className={"ferry-alert" + (className ? " " + className : "")}
               title={title} actionLinks={actions} {...rest}>
            {children}
        </Alert>
    );
}
