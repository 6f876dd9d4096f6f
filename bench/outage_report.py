#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The unavailable window with and without the pre-copy, for bench/outage.

    outage_report.py OUT_DIR

Reads OUT_DIR/run-N-MODE/ (events.json: `ferryctl --json=short events`,
plan.json, writer.jsonl and writer-check.jsonl: tests/rig/hotspot_writer.py,
sums-source.txt / sums-target.txt: app_table_sums, replicas-left,
accounts-left) and prints per run the unavailable window (operation
`source-maintenance` running -> `restart-services` done), the job's total,
the data operations' times, the writer's transactions and rate, and the
checks; then the ratio of the windows and issue 18's acceptance 1. Writes
OUT_DIR/results.json. Exits 1 when a check failed (a job, a table, a write).
"""
import glob
import json
import os
import sys

from job_times import durations, job_times

out_dir = sys.argv[1]
WINDOW_FROM, WINDOW_TO = "source-maintenance", "restart-services"


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def one_run(d):
    name = os.path.basename(d)
    r = {"run": name, "mode": name.split("-", 2)[2], "setting": (read(os.path.join(d, "setting.txt"), "") or "").strip()}
    events = json.loads(read(os.path.join(d, "events.json"), "[]") or "[]")
    ops, job, r["job_state"] = job_times(events)
    r["ops"] = {k: round(v, 2) for k, v in durations(ops).items()}
    r["pre_copy"] = "done" in ops.get("pre-copy-data", {})
    if "running" in ops.get(WINDOW_FROM, {}) and "done" in ops.get(WINDOW_TO, {}):
        r["window"] = round(ops[WINDOW_TO]["done"] - ops[WINDOW_FROM]["running"], 2)
        r["maintenance_at"] = ops[WINDOW_FROM]["running"]
    if "job-started" in job and "finished" in job:
        r["total"] = round(job["finished"] - job["job-started"], 2)
    lines = (read(os.path.join(d, "writer.jsonl"), "") or "").splitlines()
    summary = json.loads(lines[-1]) if lines and '"end"' in lines[-1] else {}
    r["writer"] = {k: summary.get(k) for k in ("end", "committed", "late", "rate", "target_rate", "statements")}
    if summary.get("last") and summary.get("flag_seen"):
        # From its last commit to the maintenance flag: the writer wrote
        # until maintenance (at most one pacing interval, 1/rate, before it).
        r["writer"]["last_commit_to_flag_ms"] = round((summary["flag_seen"] - summary["last"]) * 1000, 1)
    checks = [json.loads(x) for x in (read(os.path.join(d, "writer-check.jsonl"), "") or "").splitlines() if x.startswith("{")]
    r["writes_exactly_once"] = bool(checks) and all(c.get("ok") for c in checks)
    r["writer_check"] = checks
    src = read(os.path.join(d, "sums-source.txt"), "")
    tgt = read(os.path.join(d, "sums-target.txt"), None)
    r["tables"] = len(src.splitlines())
    r["tables_equal"] = bool(src) and src == tgt
    if not r["tables_equal"] and tgt is not None:
        t = dict(x.split(" ", 1) for x in tgt.splitlines() if " " in x)
        r["tables_differ"] = [x.split(" ", 1)[0] for x in src.splitlines() if t.get(x.split(" ", 1)[0]) != x.split(" ", 1)[1]]
    r["replica_left"] = (read(os.path.join(d, "replicas-left"), "1") or "1").strip() != "0"
    r["accounts_left"] = (read(os.path.join(d, "accounts-left"), "1") or "1").strip() != "0"
    r["ok"] = (r.get("job_state") == "succeeded" and r["tables_equal"] and r["writes_exactly_once"]
               and not r["replica_left"] and not r["accounts_left"]
               and r["writer"].get("end") in ("maintenance", "read-only"))
    return r


runs = [one_run(d) for d in sorted(glob.glob(os.path.join(out_dir, "run-*")))]
if not runs:
    sys.exit("outage_report: no run-* in " + out_dir)


def cell(r, key, fmt="{}"):
    v = r
    for k in key.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    return "-" if v is None else fmt.format(v)


rows = [
    ("CopyWhileServing", lambda r: r["setting"] or "?"),
    ("path", lambda r: "pre-copy while serving" if r["pre_copy"] else "copy under maintenance"),
    ("unavailable window s", lambda r: cell(r, "window", "{:.1f}")),
    ("job total s", lambda r: cell(r, "total", "{:.1f}")),
    ("pre-copy-data s", lambda r: cell(r, "ops.pre-copy-data", "{:.1f}")),
    ("copy-data s", lambda r: cell(r, "ops.copy-data", "{:.1f}")),
    ("restart-services s", lambda r: cell(r, "ops.restart-services", "{:.2f}")),
    ("writer: committed tx", lambda r: cell(r, "writer.committed")),
    ("writer: tx/s (target)", lambda r: f"{cell(r, 'writer.rate', '{:.1f}')} ({cell(r, 'writer.target_rate', '{:.0f}')})"),
    ("writer: stopped by", lambda r: cell(r, "writer.end")),
    ("writer: last commit -> flag seen, ms", lambda r: cell(r, "writer.last_commit_to_flag_ms", "{:.1f}")),
    ("writer: commits as the flag appeared", lambda r: cell(r, "writer.late")),
    ("every committed write exactly once", lambda r: "yes" if r["writes_exactly_once"] else "NO"),
    ("tables equal (rows + checksums)", lambda r: f"{'yes' if r['tables_equal'] else 'NO'} ({r['tables']} tables)"),
    ("replication / ferry account left", lambda r: f"{'YES' if r['replica_left'] else 'no'} / {'YES' if r['accounts_left'] else 'no'}"),
    ("job", lambda r: r.get("job_state", "?")),
]
print(f"{'':42}" + "".join(f"{r['run']:>26}" for r in runs))
for label, f in rows:
    print(f"{label:42}" + "".join(f"{f(r):>26}" for r in runs))
res = {"runs": runs}
by_mode = {r["mode"]: r for r in runs}
off, on = by_mode.get("no"), by_mode.get("default")
if off and on and off.get("window") and on.get("window") is not None:
    ratio = on["window"] / off["window"]
    res["ratio"] = round(ratio, 3)
    print()
    print(f"unavailable window: {on['window']:.1f} s with the default, {off['window']:.1f} s with "
          f"CopyWhileServing=no: ratio {ratio:.3f}")
    met = on["window"] <= 10 and ratio <= 0.2
    res["acceptance_1_window"] = met
    print(f"issue 18 acceptance 1 (window <= 10 s and <= 0.2 x without pre-copy): {'met' if met else 'NOT met'}"
          + ("" if on["pre_copy"] else " (the default run took today's path: no pre-copy-data in this ferryd)"))
failed = [r["run"] for r in runs if not r["ok"]]
for r in runs:
    for c in r["writer_check"]:
        if not c.get("ok"):
            print(f"{r['run']}: writes on {c.get('socket')}: {c}")
    if r.get("tables_differ"):
        print(f"{r['run']}: tables differ: {' '.join(r['tables_differ'])}")
print("checks: " + ("every job succeeded, tables equal, every committed write exactly once, nothing left"
                    if not failed else "FAILED in " + " ".join(failed)))
with open(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump(res, f, indent=1)
sys.exit(1 if failed else 0)
