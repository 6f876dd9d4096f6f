/*
 * ferry: a value the page's modules set (from ferryd's answers and
 * signals) and the React views that show it re-render on. The wizard's
 * logic stays in plain modules (steps.js, job-view.js, ...); only the
 * parts that change after the first render (the step list, the progress
 * bars) read a store, so React never redraws what those modules fill in.
 */
import { useSyncExternalStore } from "react";

export function createStore(initial) {
    let value = initial;
    const listeners = new Set();
    return {
        get: () => value,
        set(next) {
            value = typeof next === "function" ? next(value) : next;
            for (const l of listeners)
                l();
        },
        subscribe(listener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
        },
    };
}

export function useStore(store) {
    return useSyncExternalStore(store.subscribe, store.get);
}
