#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Samples memory and CPU of named processes from /proc until SIGTERM.

    sampler.py OUT_FILE INTERVAL_S NAME=PID [NAME=PID...]

One line per process per sample:
    <CLOCK_REALTIME µs> <name> <VmRSS kB> <VmHWM kB> <utime+stime ticks>
(ticks of 1/SC_CLK_TCK s, all threads). A process that is gone is skipped.
A line named "machine" (RSS 0) has the whole machine's busy ticks from
/proc/stat (user, nice, system, irq, softirq, steal of all CPUs): busy
minus the processes' ticks is what the rest of the machine used.
"""
import os
import signal
import sys
import time

stop = False


def on_term(*_):
    global stop
    stop = True


def sample(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            status = f.read()
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    rss = hwm = 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    fields = stat[stat.rindex(")") + 2:].split()
    return rss, hwm, int(fields[11]) + int(fields[12])


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def main():
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    out = open(sys.argv[1], "w", buffering=1 << 16)
    interval = float(sys.argv[2])
    procs = [(a.split("=")[0], int(a.split("=")[1])) for a in sys.argv[3:]]
    while not stop:
        t = time.time_ns() // 1000
        for name, pid in procs:
            s = sample(pid)
            if s:
                out.write("%d %s %d %d %d\n" % (t, name, *s))
        out.write("%d machine 0 0 %d\n" % (t, machine_busy()))
        time.sleep(interval)
    out.close()


if __name__ == "__main__":
    main()
