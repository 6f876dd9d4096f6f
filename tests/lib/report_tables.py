#!/usr/bin/env python3
"""report_tables.py REPORT LABEL=SUMS [LABEL=SUMS...]: checks a migration
report's tables (ferryctl --json report) against lists of app_table_sums
("table rows crc checksum" per line; "-" where CHECKSUM TABLE is not
comparable). Every table of each list must be in the report (schema
hotspot) with its row count and checksum; the report must have as many
tables as the first list. Prints the differences, or "N tables equal to
LABEL, M to LABEL2"; exits 1 on a difference. Used by migration-standalone
and migration-ha."""
import json
import sys

rep = json.load(open(sys.argv[1]))
lists = [arg.split("=", 1) for arg in sys.argv[2:]]
tables = {t["table"]: t for t in rep["tables"] if t["schema"] == "hotspot"}
bad = []
counts = []
for label, path in lists:
    n = 0
    for line in open(path):
        name, rows, _crc, checksum = line.split()
        n += 1
        t = tables.get(name)
        if t is None:
            bad.append(f"{name}: not in the report")
        elif str(t["rows"]) != rows:
            bad.append(f"{name}: {t['rows']} rows in the report, {rows} on {label} ({path})")
        elif checksum != "-" and t["checksum"] != checksum:
            bad.append(f"{name}: checksum {t['checksum']} in the report, {checksum} on {label} ({path})")
    counts.append(f"{n} to {label}" if counts else f"{n} tables equal to {label}")
first_label, first_path = lists[0]
n = sum(1 for _ in open(first_path))
if len(tables) != n:
    bad.append(f"{len(tables)} tables in the report, {n} on {first_label}")
print("\n".join(bad) or ", ".join(counts))
sys.exit(1 if bad else 0)
