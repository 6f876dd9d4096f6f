/*
 * ferry: the entry point that web/build.mjs bundles into dist/index.js and
 * dist/index.css: Cockpit's theme, PatternFly 5's base styles, the page's
 * React views (PatternFly 5's React components bring their own styles,
 * only those the page uses), the page's own layout; then the page is
 * rendered once and ferry.js connects it to ferryd.
 */
import "./dark-theme.js";

// PatternFly's base without its icon fonts' classes (the page uses none),
// and the table, which the page writes with PatternFly's classes.
import "@patternfly/patternfly/base/patternfly-variables.css";
import "@patternfly/patternfly/base/patternfly-themes.css";
import "@patternfly/patternfly/base/patternfly-globals.css";
import "@patternfly/patternfly/base/patternfly-common.css";
import "@patternfly/patternfly/components/Table/table.css";
// pf-m-grid-md: below 768 px each row of a table becomes label/value lines
// (td data-label), so that a phone shows every column.
import "@patternfly/patternfly/components/Table/table-grid.css";

import { createElement } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { FerryPage } from "./views/page.jsx";
import "./ferry.css";

import { actions, init } from "./ferry.js";

// The whole page first (synchronously: ferry.js looks its elements up by
// id), then the connection to ferryd.
function main() {
    const root = createRoot(document.getElementById("ferry-root"));
    flushSync(() => root.render(createElement(FerryPage, { actions })));
    init();
}

if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", main);
else
    main();
