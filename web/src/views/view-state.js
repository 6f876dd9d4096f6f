/*
 * ferry: what the page's modules hand to the React views that change
 * after the first render (views/store.js): the rows of the tables, the
 * lists and the progress bars. Everything else the modules fill in by id.
 */
import { createStore } from "./store.js";

// Step 3: the manual's DNS advice lines, ferryd's port checks
// ([port, service, state text]) and the sizes ([label, value]).
export const infoDnsAdvice = createStore([]);
export const infoPorts = createStore([]);
export const infoSizes = createStore([]);

// Step 5: the source and the options in the sentence to confirm
// ({ source, options }, null before a plan), the plan's operations that run ({ id, n, title, details, size,
// time }) and PlanWithChecks' checks ({ id, verdict, title, result, message }).
export const confirmText = createStore(null);
export const planRows = createStore([]);
export const planChecks = createStore([]);

// Step 6: the overall bar ({ pct, variant, text }) and one per operation
// ({ id, label, state, stateText, pct, variant, helper, skipped }), and
// the event log ({ seq, type, time, text }).
export const overall = createStore({ pct: 0, variant: null, text: "" });
export const operations = createStore([]);
export const events = createStore([]);

// Step 7: the DNS advice to revert ({ from, items }).
export const resultDnsAdvice = createStore({ from: "", items: [] });
