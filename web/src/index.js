/*
 * ferry: the entry point that web/build.mjs bundles into dist/index.js and
 * dist/index.css: Cockpit's theme, PatternFly 5's styles for the
 * components the page uses (only those, to keep the bundle small), the
 * page's own layout, then the wizard.
 */
import "./dark-theme.js";

// PatternFly's base without its icon fonts' classes (the page uses none).
import "@patternfly/patternfly/base/patternfly-variables.css";
import "@patternfly/patternfly/base/patternfly-themes.css";
import "@patternfly/patternfly/base/patternfly-globals.css";
import "@patternfly/patternfly/base/patternfly-common.css";
import "@patternfly/patternfly/components/Alert/alert.css";
import "@patternfly/patternfly/components/Button/button.css";
import "@patternfly/patternfly/components/DescriptionList/description-list.css";
import "@patternfly/patternfly/components/EmptyState/empty-state.css";
import "@patternfly/patternfly/components/Form/form.css";
import "@patternfly/patternfly/components/FormControl/form-control.css";
import "@patternfly/patternfly/components/List/list.css";
import "@patternfly/patternfly/components/Progress/progress.css";
import "@patternfly/patternfly/components/Spinner/spinner.css";
import "@patternfly/patternfly/components/Switch/switch.css";
import "@patternfly/patternfly/components/Table/table.css";
import "@patternfly/patternfly/components/Title/title.css";
import "@patternfly/patternfly/components/Wizard/wizard.css";
import "./ferry.css";

import "./ferry.js";
