#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers of the fault campaign (tests/faults/), stdlib only.

  fault_driver.py plan --seed S --kills N --per-migration K [--ops LIST]
      The kill plan, reproducible from the seed: one line per kill,
      "MIGRATION OPERATION FRACTION DELAY_MS", in the order they happen.
      FRACTION > 0: the kill waits until the operation's progress reached
      it (Progress signals); DELAY_MS: then waits that long (the random
      fault injection point). Without --ops each kill draws one of the
      eight operations of a standalone migration; with --ops
      "OP[:MAX_MS],..." the kills go to these operations in turn (kill i
      to the i-th, round robin), an OP alone at a progress fraction
      (0.02-0.95) plus 0-50 ms, an OP:MAX_MS at 0-MAX_MS after it started.

  fault_driver.py fire --op OP [--fraction F] [--delay-ms D] [--timeout T]
                       [--journal JOB.JSON] [--ready FILE] [--log FILE] [--after-resume]
                       (--kill-owner | --exec CMD... | --ctl SOCKET PROXY-COMMAND...)
      Subscribes to the job's signals (gdbus monitor; FILE is created once
      subscribed), then reads the operations' states (the Operations
      property, or the journal while ferryd is down), and waits for the
      moment: OP running (OperationChanged) and, with F, its fraction >= F
      (Progress), or OP already over / the job finished (then at once).
      Then sleeps D ms and sends SIGKILL to the process owning
      org.ferry.Migration1 (it waits for ferryd to be back when it is down),
      or runs CMD, or sends PROXY-COMMAND to tcp_proxy.py's control socket
      (no process to start: a millisecond, not tens). Prints one JSON line: what triggered, the operation
      running, seconds since the job started. With --after-resume a failed
      job is one about to be resumed: the wait goes on.

  fault_driver.py sums SOURCE_SUMS TARGET_SUMS
      Compares two app_table_sums files: prints "tables T lost L
      duplicated D mismatched M" (rows lost/duplicated from row counts per
      table, M tables with equal counts but another content checksum) and
      exits 1 when anything differs.
"""
import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import time

BUS = "org.ferry.Migration1"
MPATH = "/org/ferry/Migration1"
JIFACE = "org.ferry.Migration1.Job"

# The operations of a standalone migration with Copy User Traffic Logs, in order.
OPERATIONS = ["copy-settings", "source-maintenance", "copy-data", "modify-source",
              "update-certificates", "restart-services", "copy-syslog", "final"]
# Their order for the waiter: issue 18's pre-copy, where ferryd has it, runs first.
ORDER = ["pre-copy-data"] + OPERATIONS


def plan_ops(seed, kills, per_migration, ops):
    """--ops: the kills over the named operations in turn."""
    rnd = random.Random(f"ferry-faults-ops:{seed}")
    spec = [(o.split(":")[0], int(o.split(":")[1]) if ":" in o else None) for o in ops.split(",") if o]
    out = []
    for first in range(0, kills, per_migration):
        ks = []
        for i in range(first, min(kills, first + per_migration)):
            op, max_ms = spec[i % len(spec)]
            if max_ms is None:
                fraction, delay = round(rnd.uniform(0.02, 0.95), 2), rnd.randint(0, 50)
            else:
                fraction, delay = 0.0, rnd.randint(0, max_ms)
            ks.append((ORDER.index(op) if op in ORDER else len(ORDER), fraction, delay, op))
        ks.sort()
        out += [f"{first // per_migration + 1} {op} {fraction} {delay}" for _, fraction, delay, op in ks]
    print("\n".join(out))


def plan(seed, kills, per_migration, ops=None):
    if ops:
        return plan_ops(seed, kills, per_migration, ops)
    rnd = random.Random(f"ferry-faults:{seed}")
    out = []
    migration = 0
    left = kills
    while left > 0:
        migration += 1
        n = min(per_migration, left)
        left -= n
        ks = []
        for _ in range(n):
            op = rnd.choice(OPERATIONS)
            fraction = 0.0
            if op == "copy-data":
                fraction = round(rnd.uniform(0.02, 0.95), 2)
                delay = rnd.randint(0, 50)
            elif op == "copy-syslog":
                # Its 24 MB take a few hundred milliseconds here.
                delay = rnd.randint(0, 150)
            else:
                # Most of these take a few milliseconds (one HTTPS request).
                delay = rnd.randint(0, 12)
            ks.append((OPERATIONS.index(op), fraction, delay, op))
        ks.sort()
        for _, fraction, delay, op in ks:
            out.append(f"{migration} {op} {fraction} {delay}")
    print("\n".join(out))


def busctl_json(*args):
    r = subprocess.run(["busctl", "--system", "--json=short", *args], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    try:
        return json.loads(r.stdout)["data"]
    except (ValueError, KeyError):
        return None


def bus_state():
    """(job state, started_at usec, {op: [state, fraction]}) from ferryd, or None."""
    path = busctl_json("get-property", BUS, MPATH, BUS, "Job")
    if not path or path == "/":
        return None
    props = busctl_json("call", BUS, path, "org.freedesktop.DBus.Properties", "GetAll", "s", JIFACE)
    if not props:
        return None
    p = {k: v["data"] for k, v in props[0].items()}
    return p["State"], p["StartedAt"], {o[0]: [o[2], o[3]] for o in p["Operations"]}


def journal_state(path):
    """The same from the journal on disk (while ferryd is down); fractions unknown (0)."""
    try:
        j = json.load(open(path))
    except (OSError, ValueError):
        return None
    return j["state"], j.get("started_at", 0), {o["id"]: [o["state"], 0.0] for o in j["operations"]}


def owner_pid():
    r = busctl_json("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                    "GetConnectionUnixProcessID", "s", BUS)
    return r[0] if r else None


def later(a, b):
    return a in ORDER and b in ORDER and ORDER.index(a) > ORDER.index(b)


OWNED_RE = re.compile(r"is owned by (:[0-9.]+)")
OP_RE = re.compile(r"\.Job\.OperationChanged \('([a-z-]+)', '([a-z]+)'")
PROGRESS_RE = re.compile(r"\.Job\.Progress \(([-0-9.e+]+), (?:uint64 )?\d+, '([a-z-]*)', ([-0-9.e+]+)\)")
FINISHED_RE = re.compile(r"\.Job\.Finished \('([a-z]+)'")


def fire(a):
    """See the module doc. Subscribes first, then reads the state, then
    follows the signals; ferryd may be down at the start (then the journal
    says where the job is, and the kill waits for the restarted ferryd)."""
    op, fraction, delay_ms = a["op"], a["fraction"], a["delay"]
    mon = subprocess.Popen(["gdbus", "monitor", "--system", "--dest", BUS],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    fd = mon.stdout.fileno()
    log = open(a["log"], "a", buffering=1) if a.get("log") else None
    pending = []    # whole lines read from the pipe, not yet handled
    partial = b""

    def next_line(timeout):
        """The next line of gdbus's output; "" at its end; None on timeout.
        Reads the pipe unbuffered: select() must see every byte not yet handled."""
        nonlocal partial
        while not pending:
            r, _, _ = select.select([fd], [], [], timeout)
            if not r:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return ""
            partial += chunk
            *lines, partial = partial.split(b"\n")
            pending.extend(x.decode(errors="replace") + "\n" for x in lines)
        return pending.pop(0)

    result = {"op": op, "fraction": fraction, "delay_ms": delay_ms}
    pid = None
    job, started, ops = None, 0, {}
    trigger = None

    def evaluate():
        if job is None:
            return None
        if job == "failed" and a.get("after_resume"):
            return None  # waits for the Resume() that comes next
        if job not in ("running", "rebooting"):
            return "job-" + job
        s, f = ops.get(op, ["pending", 0.0])
        if s == "failed" and a.get("after_resume"):
            s = "pending"
        if s in ("done", "skipped", "failed"):
            return "op-over"
        if any(v[0] == "running" and later(k, op) for k, v in ops.items()):
            return "op-over"
        if s == "running" and f >= fraction:
            return "op-running" if fraction <= 0 else "fraction"
        return None

    def take(st):
        # Fractions count only from the Progress signals seen here: the
        # Operations property of a resumed operation still has the last
        # attempt's.
        nonlocal job, started, ops
        if st:
            job, started, ops = st[0], st[1] or started, {k: [v[0], 0.0] for k, v in st[2].items()}

    try:
        end = time.monotonic() + a["timeout"]
        first = True
        while True:
            left = end - time.monotonic()
            if left <= 0:
                trigger = trigger or "timeout"
                break
            line = next_line(left)
            if line is None:
                continue
            if not line:
                trigger = trigger or "monitor-gone"
                break
            if log:
                log.write(line)
            m = OWNED_RE.search(line)
            if m or "does not have an owner" in line:
                # gdbus's AddMatch went before its name query: subscribed.
                if m:
                    pid = owner_pid()
                    take(bus_state())
                else:
                    pid = None
                    if first and a.get("journal"):
                        take(journal_state(a["journal"]))
                if first and a.get("ready"):
                    open(a["ready"], "w").close()
                first = False
            elif (m := OP_RE.search(line)):
                ops[m.group(1)] = [m.group(2), 0.0]
                if m.group(2) == "running":
                    job = "running"  # also after a Resume() of a failed job
            elif (m := PROGRESS_RE.search(line)):
                if m.group(2) in ops:
                    ops[m.group(2)][1] = float(m.group(3))
            elif (m := FINISHED_RE.search(line)):
                job = m.group(1)
            trigger = trigger or evaluate()
            if trigger and (pid or not a.get("kill_owner")):
                break
        result["trigger"] = trigger
        result["current"] = next((k for k, v in ops.items() if v[0] == "running"), "")
        result["seen_fraction"] = ops.get(op, [0, 0.0])[1]
        if delay_ms > 0:
            time.sleep(delay_ms / 1000.0)
        result["fired_at"] = round(time.time(), 3)
        if a.get("kill_owner") and pid:
            os.kill(pid, signal.SIGKILL)
            result["killed"] = pid
        elif a.get("ctl"):
            # A command to tcp_proxy.py's control socket, without starting a process.
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(a["ctl"][0])
            c.sendall((" ".join(a["ctl"][1:]) + "\n").encode())
            result["ctl"] = c.recv(4096).decode().strip()
            c.close()
        elif a.get("exec"):
            subprocess.run(a["exec"], check=False)
        if not started and a.get("journal"):
            st = journal_state(a["journal"])
            started = st[1] if st else 0
        if started:
            result["since_start"] = round(time.time() - started / 1e6, 3)
    finally:
        mon.kill()
        mon.wait()
        if log:
            log.close()
    print(json.dumps(result))


def sums(source_file, target_file):
    def load(path):
        d = {}
        for line in open(path):
            w = line.split()
            if len(w) >= 3:
                d[w[0]] = (int(w[1]), w[2])
        return d
    s, t = load(source_file), load(target_file)
    lost = dup = mismatch = 0
    for name, (rows, crc) in s.items():
        trows, tcrc = t.get(name, (0, "missing"))
        lost += max(0, rows - trows)
        dup += max(0, trows - rows)
        if trows == rows and tcrc != crc:
            mismatch += 1
    for name, (trows, _) in t.items():
        if name not in s:
            dup += trows
    print(f"tables {len(s)} lost {lost} duplicated {dup} mismatched {mismatch}")
    return 1 if lost or dup or mismatch or len(s) != len(t) else 0


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd, rest = a[0], a[1:]
    if cmd == "sums" and len(rest) == 2:
        sys.exit(sums(*rest))
    opts = {"fraction": 0.0, "delay": 0, "timeout": 600.0}
    it = iter(rest)
    for w in it:
        if w == "--seed":
            opts["seed"] = next(it)
        elif w == "--kills":
            opts["kills"] = int(next(it))
        elif w == "--per-migration":
            opts["per"] = int(next(it))
        elif w == "--ops":
            opts["ops"] = next(it)
        elif w == "--op":
            opts["op"] = next(it)
        elif w == "--fraction":
            opts["fraction"] = float(next(it))
        elif w == "--delay-ms":
            opts["delay"] = int(next(it))
        elif w == "--timeout":
            opts["timeout"] = float(next(it))
        elif w == "--kill-owner":
            opts["kill_owner"] = True
        elif w == "--after-resume":
            opts["after_resume"] = True
        elif w == "--journal":
            opts["journal"] = next(it)
        elif w == "--ready":
            opts["ready"] = next(it)
        elif w == "--log":
            opts["log"] = next(it)
        elif w == "--exec":
            opts["exec"] = list(it)
        elif w == "--ctl":
            opts["ctl"] = list(it)
        else:
            sys.exit(f"fault_driver: unknown argument {w}")
    if cmd == "plan":
        plan(opts["seed"], opts["kills"], opts["per"], opts.get("ops"))
    elif cmd == "fire":
        fire(opts)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
