#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The practical floor of any copy: LOAD DATA INFILE of ready files.

    floor.py export --socket SRC_SOCK --dir SRC_DIR/floor [--schema hotspot]
    floor.py load   --socket TGT_SOCK --dir TGT_DIR/floor [--schema hotspot] [--jobs 2]

export (not timed): every base table of SCHEMA on the source with
`SELECT <stored columns> INTO OUTFILE ... CHARACTER SET binary`, the same
column list and conversions ferry's engine streams (daemon/source/
data_copy.cpp: generated columns left out, INVISIBLE ones listed, FLOAT as
CAST(... AS DOUBLE), BIT as CAST(... AS BINARY) (INTO OUTFILE does not
escape BIT values), UUID/INET4/INET6 through a variable and CONVERT(...
USING ascii), both sessions in UTC); writes plan.json next to the files
(tables biggest first, their LOAD DATA statements).

load (timed by the caller): the target must already have the empty
tables; runs the LOAD DATA INFILE statements JOBS at a time, biggest first,
in sessions with sql_log_bin=0, unique_checks=0, foreign_key_checks=0 (as
ferry's loaders). Fails on any warning. Prints one JSON line: seconds,
per-table seconds.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

SESSION = ("SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0, time_zone='+00:00', "
           "sql_mode='NO_AUTO_VALUE_ON_ZERO'")


def sql(socket, text, *extra):
    p = subprocess.run(["mariadb", "--no-defaults", "--socket=" + socket, "-uroot", "-N", "-B", *extra],
                       input=text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("mariadb: %s\nSQL: %s" % (p.stderr.decode(errors="replace"), text[:400]))
    return [line.split("\t") for line in p.stdout.decode().splitlines()]


def q(name):
    return "`" + name.replace("`", "``") + "`"


def export(args):
    os.makedirs(args.dir, exist_ok=True)
    os.chmod(args.dir, 0o777)
    tables = sql(args.socket, "SELECT table_name, data_length FROM information_schema.tables WHERE "
                 "table_schema='%s' AND table_type='BASE TABLE' ORDER BY data_length DESC" % args.schema)
    plan = []
    for name, size in tables:
        cols = sql(args.socket, "SELECT column_name, data_type FROM information_schema.columns WHERE "
                   "table_schema='%s' AND table_name='%s' AND is_generated='NEVER' ORDER BY ordinal_position"
                   % (args.schema, name))
        select, load, sets = [], [], []
        for i, (c, t) in enumerate(cols):
            if t == "float":
                select.append("CAST(%s AS DOUBLE)" % q(c))
            elif t == "bit":
                # INTO OUTFILE writes BIT values raw, unescaped (a tab or
                # newline byte would split the row): as a binary string
                # they are escaped; LOAD DATA ... CHARACTER SET binary
                # stores the bytes as they are, as for ferry's stream.
                select.append("CAST(%s AS BINARY)" % q(c))
            else:
                select.append(q(c))
            if t in ("uuid", "inet4", "inet6"):
                load.append("@c%d" % i)
                sets.append("%s=CONVERT(@c%d USING ascii)" % (q(c), i))
            else:
                load.append(q(c))
        path = os.path.join(args.dir, name + ".txt")
        if os.path.exists(path):
            os.unlink(path)
        sql(args.socket, "SET SESSION time_zone='+00:00', sql_mode='';\n"
            "SELECT %s INTO OUTFILE '%s' CHARACTER SET binary FROM %s.%s"
            % (",".join(select), path, q(args.schema), q(name)))
        plan.append({"table": name, "bytes": int(size), "file": name + ".txt",
                     "load": "LOAD DATA INFILE '{file}' INTO TABLE %s.%s CHARACTER SET binary (%s)%s"
                             % (q(args.schema), q(name), ",".join(load), (" SET " + ", ".join(sets)) if sets else "")})
    with open(os.path.join(args.dir, "plan.json"), "w") as f:
        json.dump(plan, f)
    print(json.dumps({"tables": len(plan), "bytes": sum(os.path.getsize(os.path.join(args.dir, p["file"])) for p in plan)}))


def load(args):
    with open(os.path.join(args.dir, "plan.json")) as f:
        plan = json.load(f)

    def one(p):
        t0 = time.monotonic()
        stmt = p["load"].format(file=os.path.join(args.dir, p["file"]))
        out = sql(args.socket, "%s;\n%s;\nSHOW WARNINGS LIMIT 3;\n" % (SESSION, stmt))
        if out:
            raise RuntimeError("warnings loading %s: %s" % (p["table"], out))
        return p["table"], time.monotonic() - t0

    t0 = time.monotonic()
    per = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for name, s in ex.map(one, plan):
            per[name] = round(s, 3)
    print(json.dumps({"seconds": time.monotonic() - t0, "tables": per}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["export", "load"])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--schema", default="hotspot")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    (export if args.mode == "export" else load)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
