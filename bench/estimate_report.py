#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The plan's estimates against what happened, for bench/estimate.

    estimate_report.py OUT_DIR

Reads OUT_DIR/round-N/ (plan.json: `ferryctl --json=short plan`,
events.json: `ferryctl --json=short events`, samples.jsonl:
bench/estimate_sample.py) and prints, per round, the plan's estimate of each
operation and of the whole job against its actual time, and the error of the
job's RemainingSeconds when the data copy had done 10 %, 50 % and 90 % of its
bytes (reported minus actual remaining time, over the actual). Then the
medians over the rounds. Writes OUT_DIR/estimate.json.
"""
import glob
import json
import os
import statistics
import sys

from job_times import durations, job_times

out_dir = sys.argv[1]
DATA_OPS = ("copy-data", "copy-data-activate-replica")


def pct(x):
    return "-" if x is None else f"{x * 100:+.0f} %"


def one_round(d):
    plan = json.load(open(os.path.join(d, "plan.json")))
    events = json.load(open(os.path.join(d, "events.json")))
    est = {o["Id"]: o["EstimatedSeconds"] for o in plan["Operations"] if o["Runs"]}
    basis = next((c.get("Message", "") for c in plan.get("Checks", []) if c.get("Id") == "estimate"), "")
    ops, job, _ = job_times(events)
    actual = durations(ops)
    r = {"round": os.path.basename(d), "estimate": est, "actual": actual,
         "estimate_total": plan["EstimatedSeconds"], "basis": basis}
    if "job-started" in job and "finished" in job:
        r["actual_total"] = job["finished"] - job["job-started"]
        r["total_error"] = (r["estimate_total"] - r["actual_total"]) / r["actual_total"]
    # Remaining time at 10/50/90 % of the data copy's bytes.
    samples = []
    try:
        with open(os.path.join(d, "samples.jsonl")) as f:
            samples = [json.loads(line) for line in f if line.strip()]
    except OSError:
        pass
    end = job.get("finished")
    r["remaining_error"] = {}
    for mark in (0.1, 0.5, 0.9):
        hit = None
        for s in samples:
            for op in DATA_OPS:
                st = s["ops"].get(op)
                if st and st[0] == "running" and st[2] > 0 and st[1] / st[2] >= mark:
                    hit = s
                    break
            if hit:
                break
        if hit and end and end > hit["t"]:
            real = end - hit["t"]
            r["remaining_error"][str(int(mark * 100))] = {
                "reported": hit["remaining"], "actual": round(real, 2),
                "error": (hit["remaining"] - real) / real}
    return r


rounds = [one_round(d) for d in sorted(glob.glob(os.path.join(out_dir, "round-*")),
                                       key=lambda p: int(p.rsplit("-", 1)[1]))]
for r in rounds:
    print(f"== {r['round']}: estimate {r['estimate_total']} s, actual "
          f"{r.get('actual_total', 0):.1f} s, error {pct(r.get('total_error'))}")
    print(f"   {'operation':28} {'estimate s':>10} {'actual s':>9}")
    for k, v in r["estimate"].items():
        a = r["actual"].get(k)
        print(f"   {k:28} {v:>10} {('-' if a is None else f'{a:.1f}'):>9}")
    for mark, e in r["remaining_error"].items():
        print(f"   remaining time at {mark:>2} % of the data copy: reported {e['reported']} s, "
              f"actual {e['actual']:.1f} s, error {pct(e['error'])}")
    print(f"   basis: {r['basis']}")

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

summary = {"rounds": len(rounds),
           "total_error_median": med([r.get("total_error") for r in rounds]),
           "total_error_median_with_history": med([r.get("total_error") for r in rounds[1:]]),
           "remaining_error_median": {m: med([r["remaining_error"].get(m, {}).get("error") for r in rounds])
                                      for m in ("10", "50", "90")},
           "actual_total_median": med([r.get("actual_total") for r in rounds]),
           "estimate_total_median": med([r["estimate_total"] for r in rounds])}
print(f"\nmedians over {len(rounds)} rounds: total error {pct(summary['total_error_median'])} "
      f"(rounds 2.. with earlier jobs: {pct(summary['total_error_median_with_history'])}); "
      f"remaining-time error at 10/50/90 %: "
      + " / ".join(pct(summary["remaining_error_median"][m]) for m in ("10", "50", "90")))
json.dump({"summary": summary, "rounds": rounds}, open(os.path.join(out_dir, "estimate.json"), "w"), indent=1)
