#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Measures how fast ferryd answers property reads, from one bus connection.

    bus_latency.py --stop FILE [--max-seconds S] [--interval-ms I] OBJECT_PATH...

Reads org.ferry.Migration1's State (manager) and, for every other path, the
job's State, every I ms (default 20), until FILE exists or S seconds passed
(default 300). A read that fails (the job object went away after its
Acknowledge) counts as an answer; a read that gets no answer within 10 s
counts as 10 s. Prints one JSON line: reads, max_ms, p99_ms, slow (> 100 ms).
Needs python3-dbus (tools/deps); the bus is $DBUS_SYSTEM_BUS_ADDRESS.
"""
import argparse
import json
import os
import sys
import time

import dbus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stop", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--interval-ms", type=float, default=20)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    targets = []
    for p in a.paths:
        iface = "org.ferry.Migration1" if p == "/org/ferry/Migration1" else "org.ferry.Migration1.Job"
        targets.append((bus.get_object("org.ferry.Migration1", p, introspect=False), iface))
    lat = []
    end = time.monotonic() + a.max_seconds
    while time.monotonic() < end and not os.path.exists(a.stop):
        for obj, iface in targets:
            t0 = time.monotonic()
            try:
                obj.Get(iface, "State", dbus_interface="org.freedesktop.DBus.Properties", timeout=10)
            except dbus.exceptions.DBusException as e:
                if e.get_dbus_name() == "org.freedesktop.DBus.Error.NoReply":
                    lat.append(10000.0)
                    continue
            lat.append((time.monotonic() - t0) * 1000)
        time.sleep(a.interval_ms / 1000)
    lat.sort()
    out = {"reads": len(lat), "max_ms": round(lat[-1], 1) if lat else None,
           "p99_ms": round(lat[int(len(lat) * 0.99)], 1) if lat else None,
           "slow": sum(1 for x in lat if x > 100)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
