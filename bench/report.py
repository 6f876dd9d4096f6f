#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Collects the runs of bench/size.sh into results.json, a table and a chart.

    report.py OUT_DIR [--main size-2000]

Reads OUT_DIR/size-*/ (meta.json, methods.jsonl, events.json, sampler.log,
dbus.log, dbus-idle.log) and writes OUT_DIR/results.json and
OUT_DIR/results.png; prints the table. --main names the size the
comparison ran at (default: the largest).

Definitions:
  ferry            the copy-data operation of the migration run by ferryd
                   (its operation-changed events running -> done)
  ratio            ferry's wall seconds / the method's (lower is better)
  logs ratio       curl's seconds / ferry's copy-syslog seconds, i.e.
                   ferry's throughput as a fraction of curl's (higher is better)
  peak RSS         ferryd's VmHWM (whole life: start, probe, the migration)
  D-Bus latency    one property call, sent to its reply, measured by
                   bench/dbus_reader.c every 20 ms; stats over the calls made
                   while copy-data ran
"""
import argparse
import json
import os
import sys

TARGETS = {"dump-load": 0.45, "mydumper-r": 0.8, "floor": 1.3}
LOG_TARGET = 0.9
RSS_LIMIT_MB = 100
DBUS_P99_MS = 5.0
LABELS = {
    "ferryd": "ferry: ferryd copy-data (migration, TLS)",
    "engine": "ferry engine: data-copy-tool, TCP",
    "engine-tls": "ferry engine: data-copy-tool, TLS",
    "dump-load": "mariadb-dump --single-transaction --quick | mariadb",
    "mydumper": "mydumper -t {t} + myloader -t {t}",
    "mydumper-r": "mydumper -t {t} -r {r} + myloader -t {t}",
    "floor": "LOAD DATA INFILE of ready files (floor)",
}
ORDER = ["ferryd", "engine", "engine-tls", "dump-load", "mydumper", "mydumper-r", "floor"]


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def lat_stats(rows):
    lat = [r[2] / 1000.0 for r in rows]
    if not lat:
        return None
    return {"calls": len(lat), "failed": sum(1 for r in rows if not r[3]),
            "p50_ms": round(pct(lat, 50), 3), "p90_ms": round(pct(lat, 90), 3), "p99_ms": round(pct(lat, 99), 3),
            "max_ms": round(max(lat), 3), "over_5ms": sum(1 for x in lat if x > 5.0)}


def read_lines(path, conv):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if p:
                try:
                    out.append(conv(p))
                except (ValueError, IndexError):
                    pass
    return out


def ferry_run(d):
    """The ferryd migration of one size directory."""
    try:
        events = json.load(open(os.path.join(d, "events.json")))
    except (OSError, ValueError):
        return None
    ops, job = {}, {}
    for e in events:
        if e["Type"] == "operation-changed":
            ops.setdefault(e["Data"]["id"], {})[e["Data"]["state"]] = e["Time"]
        elif e["Type"] in ("job-started", "finished"):
            job[e["Type"]] = e["Time"]
    def span(o):
        s = ops.get(o, {})
        return (s["running"], s["done"]) if "running" in s and "done" in s else None
    cd, cs = span("copy-data"), span("copy-syslog")
    res = {"operations_s": {k: round((v["done"] - v["running"]) / 1e6, 3) for k, v in ops.items()
                            if "running" in v and "done" in v}}
    if "job-started" in job and "finished" in job:
        res["job_s"] = round((job["finished"] - job["job-started"]) / 1e6, 3)
    res["copy_data_s"] = round((cd[1] - cd[0]) / 1e6, 3) if cd else None
    res["copy_syslog_s"] = round((cs[1] - cs[0]) / 1e6, 3) if cs else None

    samples = read_lines(os.path.join(d, "sampler.log"), lambda p: (int(p[0]), p[1], int(p[2]), int(p[3]), int(p[4])))
    hz = os.sysconf("SC_CLK_TCK")
    def in_win(t, w):
        return w and w[0] <= t <= w[1]
    fd = [s for s in samples if s[1] == "ferryd"]
    if fd:
        res["ferryd_peak_rss_kb"] = max(s[3] for s in fd)  # VmHWM
        res["ferryd_rss_before_job_kb"] = fd[0][2]
        if cd:
            w = [s[2] for s in fd if in_win(s[0], cd)]
            res["ferryd_max_rss_copy_data_kb"] = max(w) if w else None
        if cs:
            w = [s[2] for s in fd if in_win(s[0], cs)]
            res["ferryd_max_rss_copy_syslog_kb"] = max(w) if w else None
    cpu = {}
    for win_name, w in (("copy_data", cd), ("copy_syslog", cs)):
        if not w:
            continue
        cpu[win_name] = {}
        for name in sorted({s[1] for s in samples}):
            ws = [s for s in samples if s[1] == name and in_win(s[0], w)]
            if len(ws) >= 2:
                cpu[win_name][name] = round((ws[-1][4] - ws[0][4]) / hz, 2)
    res["cpu_s"] = cpu
    res["rss_series"] = [((s[0] - job.get("job-started", fd[0][0])) / 1e6, s[2] / 1024.0) for s in fd][::2] if fd else []
    res["windows"] = {"copy_data": [(cd[0] - job["job-started"]) / 1e6, (cd[1] - job["job-started"]) / 1e6] if cd and "job-started" in job else None,
                      "copy_syslog": [(cs[0] - job["job-started"]) / 1e6, (cs[1] - job["job-started"]) / 1e6] if cs and "job-started" in job else None}

    calls = read_lines(os.path.join(d, "dbus.log"), lambda p: (int(p[0]), int(p[1]), int(p[2]), int(p[3])))
    kinds = {0: "manager Get State", 1: "job Get Progress", 2: "job Get Operations", 3: "job GetAll", 4: "manager Get Job"}
    if calls:
        in_cd = [c for c in calls if in_win(c[0], cd)]
        res["dbus"] = {"copy_data": lat_stats(in_cd),
                       "copy_data_by_kind": {kinds[k]: lat_stats([c for c in in_cd if c[1] == k]) for k in kinds
                                             if any(c[1] == k for c in in_cd)},
                       "copy_syslog": lat_stats([c for c in calls if in_win(c[0], cs)]),
                       "whole_run": lat_stats(calls)}
        if "job-started" in job:
            res["dbus_series"] = [((c[0] - job["job-started"]) / 1e6, c[2] / 1000.0) for c in calls]
    try:
        res["dbus_attribution"] = json.load(open(os.path.join(d, "dbus-attribution.json")))
    except (OSError, ValueError):
        pass
    idle = read_lines(os.path.join(d, "dbus-idle.log"), lambda p: (int(p[0]), int(p[1]), int(p[2]), int(p[3])))
    if idle:
        res["dbus_idle_ferryd_during_engine"] = lat_stats(idle)
    return res


def load_size(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    runs = {}
    for line in open(os.path.join(d, "methods.jsonl")):
        line = line.strip()
        if line:
            m = json.loads(line)
            runs.setdefault(m["method"], []).append(m)
    # One record per method: with several rounds the one of median wall
    # time (the lower middle one for an even count), with every round's
    # seconds beside it; verified only when every round was.
    methods = {}
    for name, rs in runs.items():
        timed = [r for r in rs if r.get("seconds") is not None]
        if not timed:
            methods[name] = rs[0]
            continue
        timed.sort(key=lambda r: float(r["seconds"]))
        rep = dict(timed[(len(timed) - 1) // 2])
        if len(rs) > 1:
            rep["rounds_seconds"] = [float(r["seconds"]) for r in rs]
            rep["verified"] = all(r.get("verified", True) for r in rs)
            if "verify_cost" in rep and not rep["verify_cost"]:
                rep["verify_cost"] = next((r["verify_cost"] for r in rs if r.get("verify_cost")), None)
        methods[name] = rep
    return meta, methods, ferry_run(d)


def where_time_goes(meta, methods, ferry, cpu):
    """CPU accounting of ferry's copy against the floor's."""
    eng = methods.get("engine")
    flo = methods.get("floor")
    if not eng or not flo or "cpu_s" not in eng or "cpu_s" not in flo:
        return None
    e, f = eng["cpu_s"], flo["cpu_s"]
    vc = eng.get("verify_cost") or {}
    out = {"floor_target_cpu_s": f["target_mariadbd"], "engine_cpu_s": e, "verify_cost": vc}
    lines = []
    floor_cpu = f["target_mariadbd"] + f["client"]
    tgt_load = e["target_mariadbd"] - vc.get("target_cpu_s", 0)
    src_read = e["source_mariadbd"] - vc.get("source_cpu_s", 0)
    parts = [("target mariadbd: LOAD DATA LOCAL of the stream", tgt_load),
             ("target mariadbd: verification (COUNT + CHECKSUM TABLE / row hash)", vc.get("target_cpu_s", 0)),
             ("source mariadbd: SELECT, streaming the rows", src_read),
             ("source mariadbd: verification in the snapshot", vc.get("source_cpu_s", 0)),
             ("data-copy-tool (ferry's engine: escaping, protocol)", e["client"])]
    total = sum(v for _, v in parts)
    lines.append("floor (LOAD DATA INFILE): target mariadbd %.1f + loader %.1f = %.1f CPU s" % (f["target_mariadbd"], f["client"], floor_cpu))
    lines.append("ferry engine (data-copy-tool, TCP), %.1f CPU s = %.2f x the floor's:" % (total, total / floor_cpu if floor_cpu else 0))
    for n, v in parts:
        lines.append("  %-70s %6.1f  (%.2f x floor)" % (n, v, v / floor_cpu if floor_cpu else 0))
    tside = e["target_mariadbd"] + e["client"]
    lines.append("on the target's side alone (target mariadbd + ferry), as on two appliances: %.1f CPU s = %.2f x the floor's"
                 % (tside, tside / floor_cpu if floor_cpu else 0))
    out["engine_cpu_over_floor"] = round(total / floor_cpu, 3) if floor_cpu else None
    out["engine_target_side_cpu_over_floor"] = round(tside / floor_cpu, 3) if floor_cpu else None
    t = eng.get("tool") or {}
    if t.get("tables"):
        per = sorted(t["tables"], key=lambda x: -x["seconds"])
        ssum = sum(x["seconds"] for x in per)
        out["engine_tables"] = {"sum_table_seconds": round(ssum, 2), "wall": t["seconds"],
                                "parallel_efficiency": round(ssum / meta["threads"] / t["seconds"], 3) if t["seconds"] else None,
                                "largest": per[0]["table"], "largest_seconds": per[0]["seconds"],
                                "lock_seconds": t.get("lock_seconds")}
        lines.append("engine per table: sum of table times %.1f s / %d loaders = %.1f s of %.1f s wall (%.0f %% busy); "
                     "longest %s %.1f s; source read-locked %.2f s"
                     % (ssum, meta["threads"], ssum / meta["threads"], t["seconds"],
                        100 * ssum / meta["threads"] / t["seconds"] if t["seconds"] else 0, per[0]["table"],
                        per[0]["seconds"], t.get("lock_seconds") or 0))
    if ferry and ferry.get("cpu_s", {}).get("copy_data"):
        c = ferry["cpu_s"]["copy_data"]
        ours = sum(v for k, v in c.items() if k != "machine")
        lines.append("ferryd copy-data (TLS), %.1f s wall: ferryd %.1f, source %.1f, target %.1f CPU s (%.1f); the rest of the "
                     "machine %.1f CPU s; machine capacity %.1f CPU s"
                     % (ferry["copy_data_s"], c.get("ferryd", 0), c.get("source_mariadbd", 0), c.get("target_mariadbd", 0),
                        ours, c.get("machine", 0) - ours, 2 * ferry["copy_data_s"] if ferry.get("copy_data_s") else 0))
    out["lines"] = lines
    return out


def paired_ratios(out, name):
    """engine seconds / each method's seconds, round by round (noise that
    lasts a round hits both alike); the median of those ratios."""
    per = {}
    for line in open(os.path.join(out, name, "methods.jsonl")):
        if line.strip():
            m = json.loads(line)
            if m.get("seconds") is not None:
                per.setdefault(m.get("round", 1), {})[m["method"]] = float(m["seconds"])
    res = {}
    for m in ORDER[2:]:
        rs = [r[m] and r["engine"] / r[m] for _, r in sorted(per.items()) if m in r and "engine" in r]
        if len(rs) > 1:
            v = sorted(rs)
            med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
            res[m] = {"median": round(med, 3), "rounds": [round(x, 3) for x in rs]}
    return res


def fmt(v, nd=2):
    return "-" if v is None else ("%.*f" % (nd, v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--main")
    args = ap.parse_args()
    sizes = {}
    for name in sorted(os.listdir(args.out)):
        d = os.path.join(args.out, name)
        if name.startswith("size-") and os.path.exists(os.path.join(d, "meta.json")) \
                and os.path.exists(os.path.join(d, "methods.jsonl")):
            sizes[name] = load_size(d)
    if not sizes:
        print("report.py: no size-* results in %s" % args.out, file=sys.stderr)
        return 1
    main_name = args.main if args.main in sizes else max(sizes, key=lambda n: sizes[n][0]["size_mb"])
    meta, methods, ferry = sizes[main_name]
    total_mb = (meta["data_bytes"] + meta["index_bytes"]) / 1e6

    # Times of every database method at the main size.
    rows = []
    times = {}
    if ferry and ferry.get("copy_data_s"):
        times["ferryd"] = ferry["copy_data_s"]
    for m in ORDER[1:]:
        if m in methods and methods[m].get("seconds") is not None:
            times[m] = float(methods[m]["seconds"])
    fs = times.get("ferryd")
    es = times.get("engine")

    # CPU seconds: of the processes doing the work (both mariadbd, the
    # client tools or ferryd) and of the rest of the machine meanwhile
    # (other users of the shared cores: the noise in the wall times).
    def cpu_of(m):
        if m == "ferryd":
            c = (ferry or {}).get("cpu_s", {}).get("copy_data") or {}
            if not c:
                return None, None
            ours = sum(v for k, v in c.items() if k != "machine")
            return round(ours, 2), (round(c["machine"] - ours, 2) if "machine" in c else None)
        rec = methods.get(m, {})
        parts = [rec["cpu_s"]] if "cpu_s" in rec else [rec[k]["cpu_s"] for k in ("dump", "load") if k in rec]
        if not parts:
            return None, None
        ours = sum(p[k] for p in parts for k in ("source_mariadbd", "target_mariadbd", "client"))
        mach = sum(p.get("machine", 0) for p in parts) if all("machine" in p for p in parts) else None
        return round(ours, 2), (round(mach - ours, 2) if mach is not None else None)
    cpu = {m: cpu_of(m) for m in times}
    fc = cpu.get("ferryd", (None, None))[0]
    for m in ORDER:
        if m not in times:
            continue
        rec = methods.get(m, {})
        rows.append({"method": m, "label": LABELS[m].format(t=meta["threads"], r=meta["chunk_rows"]),
                     "seconds": times[m], "mb_per_s": round(total_mb / times[m], 1) if times[m] else None,
                     "ferry_over_method": round(fs / times[m], 3) if fs and m != "ferryd" else None,
                     "engine_over_method": round(es / times[m], 3) if es and m not in ("ferryd", "engine") else None,
                     "cpu_work_s": cpu[m][0], "cpu_others_s": cpu[m][1],
                     "ferry_cpu_over_method": round(fc / cpu[m][0], 3) if fc and cpu[m][0] and m != "ferryd" else None,
                     "verified": rec.get("verified"), "columns_differ": rec.get("columns_differ", []),
                     "tables_differ": rec.get("tables_differ", []),
                     "cpu_s": rec.get("cpu_s") if m != "ferryd" else (ferry or {}).get("cpu_s", {}).get("copy_data"),
                     "rounds_seconds": rec.get("rounds_seconds"),
                     "extra": {k: rec[k] for k in ("dump_seconds", "load_seconds", "export_seconds", "files") if k in rec}})

    curl = methods.get("curl")
    logs = None
    if curl and ferry and ferry.get("copy_syslog_s"):
        logs = {"bytes": curl["bytes"], "curl_s": curl["seconds"], "curl_sha256_s": curl.get("sha256_seconds"),
                "curl_sync_s": curl.get("sync_seconds"), "list_s": curl.get("list_seconds"), "ferry_s": ferry["copy_syslog_s"],
                "ferry_mb_per_s": round(curl["bytes"] / 1e6 / ferry["copy_syslog_s"], 1),
                "curl_mb_per_s": round(curl["bytes"] / 1e6 / curl["seconds"], 1),
                "ferry_throughput_over_curl": round(curl["seconds"] / ferry["copy_syslog_s"], 3),
                "ferry_throughput_over_curl_sha256": round((curl["seconds"] + (curl.get("sha256_seconds") or 0)) / ferry["copy_syslog_s"], 3),
                "curl_verified": curl.get("verified"), "ferry_verified": methods.get("ferryd", {}).get("logs_verified")}

    rss = []
    for name, (mt, _, fr) in sorted(sizes.items(), key=lambda kv: kv[1][0]["size_mb"]):
        if fr and fr.get("ferryd_peak_rss_kb"):
            rss.append({"size": name, "size_mb": mt["size_mb"],
                        "set_mb": round((mt["data_bytes"] + mt["index_bytes"]) / 1e6),
                        "peak_rss_mb": round(fr["ferryd_peak_rss_kb"] / 1024, 1),
                        "max_rss_copy_data_mb": round((fr.get("ferryd_max_rss_copy_data_kb") or 0) / 1024, 1),
                        "max_rss_copy_syslog_mb": round((fr.get("ferryd_max_rss_copy_syslog_kb") or 0) / 1024, 1),
                        "rss_before_job_mb": round((fr.get("ferryd_rss_before_job_kb") or 0) / 1024, 1),
                        "copy_data_s": fr.get("copy_data_s"),
                        "dbus_copy_data": (fr.get("dbus") or {}).get("copy_data")})

    targets = []
    for m, limit in TARGETS.items():
        r = next((x for x in rows if x["method"] == m), None)
        if r and r["ferry_over_method"] is not None:
            targets.append({"target": "ferry <= %.2f x %s" % (limit, m), "value": r["ferry_over_method"], "limit": limit,
                            "met": r["ferry_over_method"] <= limit,
                            "engine_value": r["engine_over_method"]})
    if logs:
        targets.append({"target": "logs: ferry throughput >= %.1f x curl" % LOG_TARGET,
                        "value": logs["ferry_throughput_over_curl"], "limit": LOG_TARGET,
                        "met": logs["ferry_throughput_over_curl"] >= LOG_TARGET})
    if rss:
        peak = max(r["peak_rss_mb"] for r in rss)
        targets.append({"target": "ferryd peak RSS <= %d MB" % RSS_LIMIT_MB, "value": peak, "limit": RSS_LIMIT_MB,
                        "met": peak <= RSS_LIMIT_MB})
        if len(rss) >= 2:
            lo, hi = rss[0]["peak_rss_mb"], rss[-1]["peak_rss_mb"]
            grow = hi - lo
            targets.append({"target": "ferryd peak RSS flat across sizes (growth <= max(10%%, 4 MB)) %s -> %s"
                            % (rss[0]["size"], rss[-1]["size"]),
                            "value": round(grow, 1), "limit": round(max(0.1 * lo, 4.0), 1),
                            "met": grow <= max(0.1 * lo, 4.0)})
    db = (ferry or {}).get("dbus", {}).get("copy_data")
    if db:
        targets.append({"target": "D-Bus property read p99 during copy-data <= %.0f ms" % DBUS_P99_MS,
                        "value": db["p99_ms"], "limit": DBUS_P99_MS, "met": db["p99_ms"] <= DBUS_P99_MS})

    result = {"main": main_name, "meta": meta, "methods": rows, "logs": logs, "ferryd_rss": rss, "targets": targets,
              "ferryd": {k: v for k, v in (ferry or {}).items() if k not in ("rss_series", "dbus_series")},
              "sizes": {n: {"meta": mt, "methods": ms,
                            "ferryd": {k: v for k, v in (fr or {}).items() if k not in ("rss_series", "dbus_series")}}
                        for n, (mt, ms, fr) in sizes.items()}}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)

    # --- The table --------------------------------------------------------
    p = print
    p("ferry benchmark: %s, %.0f MB of InnoDB data + indexes (%.0f + %.0f MB), %d tables, --rows %d, "
      "threads %d, %s" % (main_name, total_mb, meta["data_bytes"] / 1e6, meta["index_bytes"] / 1e6, meta["tables"],
                          meta["rows_arg"], meta["threads"], meta["mariadb"].split(" Distrib")[0].replace("mariadbd  Ver ", "MariaDB ")))
    p("")
    p("%-54s %7s %6s %7s %8s %6s %6s %7s  %s" % ("method", "wall s", "MB/s", "ferry/m", "engine/m", "CPU s",
                                                  "other", "CPU f/m", "result"))
    for r in rows:
        res = "equal" if r["verified"] else ("DIFFERS: " + ", ".join(r["columns_differ"] or r["tables_differ"]))
        if r["method"] == "ferryd" and ferry is not None:
            res = "equal" if methods.get("ferryd", {}).get("verified") else "DIFFERS"
        p("%-54s %7.1f %6s %7s %8s %6s %6s %7s  %s" % (r["label"][:54], r["seconds"], fmt(r["mb_per_s"], 1),
                                                      fmt(r["ferry_over_method"]), fmt(r["engine_over_method"]),
                                                      fmt(r["cpu_work_s"], 1), fmt(r["cpu_others_s"], 1),
                                                      fmt(r["ferry_cpu_over_method"]), res))
    if any(r.get("rounds_seconds") for r in rows):
        p("rounds (wall s, in the order run): " + "; ".join(
            "%s %s" % (r["method"], "/".join("%.1f" % x for x in r["rounds_seconds"])) for r in rows if r.get("rounds_seconds")))
        p("(every method after ferryd: the median round)")
        paired = paired_ratios(args.out, main_name)
        if paired:
            result["engine_paired_ratios"] = paired
            p("engine / method in the same round, median (per round): " + "; ".join(
                "%s %.2f (%s)" % (m, v["median"], "/".join("%.2f" % x for x in v["rounds"])) for m, v in paired.items()))
    p("(ferry/m, engine/m: wall-time ratios; CPU s: CPU seconds of both mariadbd + the tool or ferryd; other: CPU "
      "seconds the rest of the machine used meanwhile; CPU f/m: ferry's CPU s / the method's)")
    if logs:
        p("")
        p("logs (%d files, %.0f MB over ferry-peer's HTTPS): ferry copy-syslog %.2f s (%.0f MB/s, fsync + SHA-256 "
          "verified); curl %.2f s (%.0f MB/s; + sha256sum %.2f s) -> ferry throughput %.2f x curl (%.2f x curl+sha256sum)"
          % (curl["files"], logs["bytes"] / 1e6, logs["ferry_s"], logs["ferry_mb_per_s"], logs["curl_s"],
             logs["curl_mb_per_s"], logs["curl_sha256_s"] or 0, logs["ferry_throughput_over_curl"],
             logs["ferry_throughput_over_curl_sha256"]))
        if logs.get("list_s") is not None:
            p("  the listing GET /logs (ferry-peer hashed every file for it before the digests moved to logs/NAME/sha256) took %.2f s when timed apart"
              % logs["list_s"])
    if rss:
        p("")
        p("ferryd memory (VmHWM over its life; max VmRSS while copy-data / copy-syslog ran):")
        for r in rss:
            p("  %-10s set %5d MB: peak %.1f MB (copy-data %.1f MB, copy-syslog %.1f MB, before the job %.1f MB); copy-data %s s"
              % (r["size"], r["set_mb"], r["peak_rss_mb"], r["max_rss_copy_data_mb"], r["max_rss_copy_syslog_mb"],
                 r["rss_before_job_mb"], fmt(r["copy_data_s"], 1)))
    for name, (mt, ms, fr) in sorted(sizes.items(), key=lambda kv: kv[1][0]["size_mb"]):
        d = (fr or {}).get("dbus", {})
        if d and d.get("copy_data"):
            s = d["copy_data"]
            idle = (fr or {}).get("dbus_idle_ferryd_during_engine")
            p("D-Bus %-10s during copy-data: %d calls, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d over 5 ms%s"
              % (name, s["calls"], s["p50_ms"], s["p99_ms"], s["max_ms"], s["over_5ms"],
                 ("; control (idle ferryd while data-copy-tool copies): p50 %.2f ms, p99 %.2f ms"
                  % (idle["p50_ms"], idle["p99_ms"])) if idle else ""))
    if ferry and ferry.get("cpu_s", {}).get("copy_data"):
        p("CPU seconds while copy-data ran (%s s wall): %s" % (fmt(ferry["copy_data_s"], 1), ", ".join(
            "%s %.1f" % kv for kv in ferry["cpu_s"]["copy_data"].items())))
    analysis = where_time_goes(meta, methods, ferry, cpu)
    result["analysis"] = analysis
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    if analysis:
        p("")
        p("Where ferry's time goes (CPU seconds; the copy is CPU-bound on the shared cores):")
        for line in analysis["lines"]:
            p("  " + line)
    for name, (mt, ms, fr) in sorted(sizes.items(), key=lambda kv: kv[1][0]["size_mb"]):
        at = (fr or {}).get("dbus_attribution")
        if at:
            w = at["latency_without_cpu_waits_ms"]
            p("D-Bus %s, perf attribution of the %d calls over 5 ms (of %d) during copy-data: %s; latency minus the "
              "CPU waits: p50 %.2f ms, p99 %.2f ms; ferryd main-thread fsyncs %d (max %.1f ms)"
              % (name, at["slow_calls_over_5ms"], at["calls_copy_data"],
                 ", ".join("%s %d" % kv for kv in sorted(at["slow_calls_main_cause"].items(), key=lambda kv: -kv[1])),
                 w["p50"], w["p99"], at["ferryd_main_thread_fsyncs"]["count"], at["ferryd_main_thread_fsyncs"]["max_ms"]))
            po = at.get("ferryd_main_thread_per_operation", {})
            if po:
                p("  ferryd main thread: " + "; ".join("%s %s s: %d wakeups, %.3f s on CPU" % (k, v["seconds"], v["wakeups"], v["on_cpu_s"])
                                                      for k, v in po.items()))
    p("")
    p("%-70s %9s %7s  %s" % ("target", "measured", "limit", "met"))
    for t in targets:
        p("%-70s %9s %7s  %s" % (t["target"], t["value"], t["limit"], "yes" if t["met"] else "NO"))

    # --- The chart --------------------------------------------------------
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: python3-matplotlib missing, no chart", file=sys.stderr)
        return 0
    fig, ax = plt.subplots(2, 2, figsize=(15, 10))
    a = ax[0][0]
    names = [r["label"] for r in rows][::-1]
    vals = [r["seconds"] for r in rows][::-1]
    colors = ["#1f77b4" if r["method"].startswith(("ferryd", "engine")) else "#999999" for r in rows][::-1]
    a.barh(range(len(vals)), vals, color=colors)
    a.set_yticks(range(len(vals)))
    a.set_yticklabels(names, fontsize=8)
    for i, r in enumerate(rows[::-1]):
        txt = "%.1f s" % r["seconds"]
        if r["ferry_over_method"]:
            txt += "  (ferry = %.2fx)" % r["ferry_over_method"]
        if r["verified"] is False:
            txt += "  differs"
        a.text(r["seconds"], i, " " + txt, va="center", fontsize=8)
    a.set_xlabel("wall seconds (lower is better)")
    a.set_title("Data copy, %.0f MB set, %d threads" % (total_mb, meta["threads"]))
    a.set_xlim(0, max(vals) * 1.45 if vals else 1)

    a = ax[0][1]
    for name, (mt, ms, fr) in sorted(sizes.items(), key=lambda kv: kv[1][0]["size_mb"]):
        if fr and fr.get("rss_series"):
            xs, ys = zip(*fr["rss_series"])
            a.plot(xs, ys, label="%s (%.0f MB set)" % (name, (mt["data_bytes"] + mt["index_bytes"]) / 1e6))
            w = fr["windows"].get("copy_data")
            if w:
                a.axvspan(w[0], w[1], alpha=0.08)
    a.axhline(RSS_LIMIT_MB, color="red", linestyle=":", label="limit %d MB" % RSS_LIMIT_MB)
    a.set_xlabel("seconds since Start()")
    a.set_ylabel("ferryd VmRSS, MB")
    a.set_title("ferryd memory during the migration (shaded: copy-data)")
    a.legend(fontsize=8)

    a = ax[1][0]
    if ferry and ferry.get("dbus_series"):
        xs, ys = zip(*ferry["dbus_series"])
        a.scatter(xs, ys, s=3)
        a.set_yscale("log")
        a.axhline(DBUS_P99_MS, color="red", linestyle=":", label="p99 limit %.0f ms" % DBUS_P99_MS)
        if db:
            a.axhline(db["p99_ms"], color="orange", linestyle="--", label="p99 during copy-data %.1f ms" % db["p99_ms"])
        w = ferry["windows"].get("copy_data")
        if w:
            a.axvspan(w[0], w[1], alpha=0.08)
        a.legend(fontsize=8)
    a.set_xlabel("seconds since Start()")
    a.set_ylabel("property call latency, ms")
    a.set_title("D-Bus property reads during the migration (%s)" % main_name)

    a = ax[1][1]
    if logs:
        a.bar(["ferry copy-syslog\n(fsync + SHA-256)", "curl", "curl + sha256sum"],
              [logs["ferry_mb_per_s"], logs["curl_mb_per_s"],
               logs["bytes"] / 1e6 / (logs["curl_s"] + (logs["curl_sha256_s"] or 0))],
              color=["#1f77b4", "#999999", "#bbbbbb"])
        a.set_ylabel("MB/s (higher is better)")
        a.set_title("Log files, %.0f MB over ferry-peer HTTPS" % (logs["bytes"] / 1e6))
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "results.png"), dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
