#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Two more wide tables for the benchmark's data set, next to the ones of
tests/rig/gen_dataset.py (run that first: it creates the schema).

    gen_wide.py --socket DIR/mysqld.sock [--rows 200000] [--seed 1]
                [--schema hotspot] [--jobs 2] [--workdir DIR]

--rows is gen_dataset.py's --rows; the tables get these shares of it:
  portal_profiles (6%)   42 columns, mostly VARCHAR/utf8mb4 (many NULL),
                         flags, DATETIMEs, a TEXT and a JSON column;
                         secondary indexes on user_id, (country, city)
                         and updated
  nas_counters    (6%)   45 columns: composite primary key (nas_id, day,
                         hour) and 42 BIGINT/INT/DECIMAL counters, one
                         secondary index
Deterministic per --seed (own random.Random per table), loaded like
gen_dataset.py's tables (tab-separated files, LOAD DATA LOCAL INFILE,
binary logging off), then ANALYZE TABLE.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "rig"))
import gen_dataset as g  # noqa: E402  (esc, write_tsv, client, word lists)

SHARES = [("portal_profiles", 0.06), ("nas_counters", 0.06)]

PROFILE_VARCHARS = [  # name, length, NULL share
    ("display_name", 64, 0.1), ("given_name", 64, 0.2), ("family_name", 64, 0.2), ("company", 128, 0.6),
    ("street", 128, 0.3), ("house_no", 16, 0.3), ("postcode", 16, 0.3), ("city", 64, 0.2),
    ("region", 64, 0.5), ("country", 2, 0.05), ("phone", 32, 0.4), ("mobile", 32, 0.3),
    ("language", 8, 0.0), ("timezone", 48, 0.1), ("referrer", 255, 0.7), ("utm_source", 64, 0.8),
    ("utm_campaign", 64, 0.8), ("device_name", 64, 0.3), ("os", 32, 0.1), ("browser", 64, 0.1),
    ("user_agent", 255, 0.05), ("last_ip", 45, 0.05), ("last_mac", 17, 0.05), ("portal_theme", 32, 0.5),
    ("coupon", 24, 0.9), ("tax_id", 32, 0.9), ("social_id", 64, 0.7), ("social_provider", 16, 0.7),
    ("room", 16, 0.6), ("notes_short", 255, 0.8),
]

SCHEMA = """
CREATE TABLE portal_profiles (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  user_id INT UNSIGNED NOT NULL,
%s,
  newsletter TINYINT(1) NOT NULL DEFAULT 0,
  terms_accepted TINYINT(1) NOT NULL DEFAULT 0,
  verified_email TINYINT(1) NOT NULL DEFAULT 0,
  verified_phone TINYINT(1) NOT NULL DEFAULT 0,
  logins INT UNSIGNED NOT NULL DEFAULT 0,
  created DATETIME NOT NULL,
  updated DATETIME(3) NOT NULL,
  bio TEXT NULL,
  prefs JSON NULL,
  avatar_hash BINARY(20) NULL,
  KEY k_user (user_id),
  KEY k_place (country, city),
  KEY k_updated (updated)
) ENGINE=InnoDB;

CREATE TABLE nas_counters (
  nas_id SMALLINT UNSIGNED NOT NULL,
  day DATE NOT NULL,
  hour TINYINT UNSIGNED NOT NULL,
%s,
  PRIMARY KEY (nas_id, day, hour),
  KEY k_day (day)
) ENGINE=InnoDB;
"""

COUNTERS = ([("c_bytes_%02d" % i, "BIGINT UNSIGNED NOT NULL") for i in range(14)] +
            [("c_pkts_%02d" % i, "INT UNSIGNED NOT NULL") for i in range(14)] +
            [("c_users_%02d" % i, "INT UNSIGNED NULL") for i in range(8)] +
            [("c_revenue_%02d" % i, "DECIMAL(14,2) NOT NULL") for i in range(6)])


def schema_sql():
    pv = ",\n".join("  %s VARCHAR(%d) %s" % (n, l, "NULL" if z else "NOT NULL") for n, l, z in PROFILE_VARCHARS)
    nc = ",\n".join("  %s %s" % c for c in COUNTERS)
    return SCHEMA % (pv, nc)


AGENTS = ["Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36 Edg/119.0",
          "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"]
CITIES = ["Berlin", "München", "Łódź", "São Paulo", "İstanbul", "Zürich", "Kraków", "Malmö", "Cluj-Napoca", "Reykjavík"]
COUNTRIES = ["DE", "PL", "BR", "TR", "CH", "SE", "RO", "IS", "FR", "NL"]


def gen_profiles(r, n, n_users):
    for i in range(1, n + 1):
        row = [i, r.randrange(1, max(n_users, 1) + 1)]
        for name, length, nulls in PROFILE_VARCHARS:
            if nulls and r.random() < nulls:
                row.append(None)
            elif name == "country":
                row.append(r.choice(COUNTRIES))
            elif name == "city":
                row.append(r.choice(CITIES))
            elif name == "user_agent":
                row.append(r.choice(AGENTS))
            elif name == "last_ip":
                row.append(g.ipv4(r))
            elif name == "last_mac":
                row.append(g.mac(r))
            elif name in ("display_name", "given_name", "family_name"):
                row.append("%s %s" % (r.choice(g.FIRST), r.choice(g.LAST)) if name == "display_name"
                           else r.choice(g.FIRST if name == "given_name" else g.LAST))
            else:
                s = g.sentence(r, 1 + length // 24)
                if r.random() < 0.01:
                    s += "\t\\\n"
                row.append(s[:length])
        created = g.EPOCH + r.randrange(0, 3 * 365 * 86400)
        row += [r.randrange(2), r.randrange(2), r.randrange(2), r.randrange(2), r.randrange(0, 5000),
                g.dt(created), g.dt(created + r.randrange(0, 86400 * 200), 3, r),
                None if r.random() < 0.7 else g.sentence(r, r.randrange(5, 60)),
                None if r.random() < 0.4 else json.dumps({"lang": r.choice(["de", "en", "pl", "tr"]),
                                                          "dark": r.random() < 0.5,
                                                          "tags": [r.choice(g.WORDS), r.choice(g.WORDS)]},
                                                         ensure_ascii=False),
                None if r.random() < 0.5 else r.randbytes(20)]
        yield row


def gen_counters(r, n):
    day0 = g.EPOCH // 86400
    for k in range(n):
        nas, hour, day = k % g.NAS_ROWS + 1, (k // g.NAS_ROWS) % 24, day0 + k // (g.NAS_ROWS * 24)
        row = [nas, time.strftime("%Y-%m-%d", time.gmtime(day * 86400)), hour]
        for name, _ in COUNTERS:
            if name.startswith("c_bytes"):
                row.append(r.randrange(0, 2**40))
            elif name.startswith("c_pkts"):
                row.append(r.randrange(0, 2**31))
            elif name.startswith("c_users"):
                row.append(None if r.random() < 0.1 else r.randrange(0, 5000))
            else:
                row.append("%d.%02d" % (r.randrange(0, 10**9), r.randrange(100)))
        yield row


def build(args, name, n, n_users, workdir):
    r = random.Random("%d:%s" % (args.seed, name))
    path = os.path.join(workdir, name + ".tsv")
    rows = gen_profiles(r, n, n_users) if name == "portal_profiles" else gen_counters(r, n)
    written = g.write_tsv(path, rows)
    out = g.client(args, "SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0, time_zone='+00:00', "
                         "sql_mode='NO_AUTO_VALUE_ON_ZERO';\nLOAD DATA LOCAL INFILE '%s' INTO TABLE `%s`.`%s` "
                         "CHARACTER SET binary;\nSHOW WARNINGS;\n" % (path, args.schema, name), local_infile=True)
    if out.strip():
        raise RuntimeError("warnings loading %s:\n%s" % (name, out[:2000]))
    os.unlink(path)
    return name, written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--schema", default="hotspot")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    t0 = time.monotonic()
    n_users = max(1, int(args.rows * dict(g.SHARES)["users"]))
    g.client(args, "SET SESSION sql_log_bin=0;\nUSE `%s`;\nDROP TABLE IF EXISTS portal_profiles, nas_counters;\n%s"
             % (args.schema, schema_sql()))
    workdir = tempfile.mkdtemp(prefix="ferry-bench-wide.", dir=args.workdir)
    total = 0
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as ex:
            futs = [ex.submit(build, args, name, max(1, int(args.rows * share)), n_users, workdir)
                    for name, share in SHARES]
            for f in concurrent.futures.as_completed(futs):
                total += f.result()[1]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    g.client(args, "SET SESSION sql_log_bin=0;\nANALYZE TABLE `%s`.portal_profiles, `%s`.nas_counters;\n"
             % (args.schema, args.schema))
    print("gen_wide: schema %s, %d rows, %.1f s" % (args.schema, total, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
