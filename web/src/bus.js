/* ferry: D-Bus calls and what this browser keeps of a job (localStorage). */
import { S, STORAGE_PREFIX } from "./constants.js";

/* global cockpit */

// A native Promise (Cockpit's own promises do not turn a throw in a
// handler into a rejection), resolved with the reply's out arguments.
export function call(path, iface, method, args, options) {
    const client = S.client;
    return new Promise((resolve, reject) => {
        client.call(path, iface, method, args, options).then(resolve, reject);
    });
}

export function variantDict(obj) {
    const out = {};
    for (const k in obj)
        out[k] = cockpit.variant("b", !!obj[k]);
    return out;
}

export function storageKey(path) {
    return STORAGE_PREFIX + path;
}

export function remember(path, data) {
    try {
        window.localStorage.setItem(storageKey(path), JSON.stringify(data));
    } catch (e) { /* storage may be disabled: the Result step then gives generic advice */ }
}

export function recall(path) {
    try {
        return JSON.parse(window.localStorage.getItem(storageKey(path)) || "null");
    } catch (e) {
        return null;
    }
}

export function forget(path) {
    try {
        window.localStorage.removeItem(storageKey(path));
    } catch (e) { }
}
