# SPDX-License-Identifier: LGPL-2.1-or-later
"""A job's times from its events (`ferryctl --json=short events`), for the
bench reports (estimate_report.py, outage_report.py)."""


def job_times(events):
    """({operation: {state: seconds}}, {"job-started"|"finished": seconds},
    the finished event's state or "") -- times in seconds since the epoch,
    the last of each kind (a resumed operation runs again)."""
    ops, job, state = {}, {}, ""
    for e in events:
        if e["Type"] == "operation-changed":
            ops.setdefault(e["Data"]["id"], {})[e["Data"]["state"]] = e["Time"] / 1e6
        elif e["Type"] in ("job-started", "finished"):
            job[e["Type"]] = e["Time"] / 1e6
            if e["Type"] == "finished":
                state = e["Data"].get("state", "")
    return ops, job, state


def durations(ops):
    """{operation: seconds from running to done}."""
    return {k: v["done"] - v["running"] for k, v in ops.items() if "running" in v and "done" in v}
