#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hotspot service's writes on the source's MariaDB, until maintenance.

  hotspot_writer.py run --socket SOCK --flag MAINTENANCE_FILE --log LOG.jsonl
                        [--ready FILE] [--rate TPS] [--seed N] [--rows N]
                        [--schema hotspot] [--max-seconds S]
      Creates its own tables in SCHEMA (writer_accounts, writer_sessions,
      writer_events: dropped and seeded anew, ROWS rows each, recorded as
      transaction 0), creates FILE, then commits TPS transactions per second
      (default 30), each a few inserts, updates (relative: balance =
      balance + d, so a write applied twice shows) and deletes over the
      three tables, through its own account (no SUPER: a read-only source
      refuses it, as it would refuse the hotspot's services). It stops as
      the hotspot's services stop when the source is placed under
      maintenance: when MAINTENANCE_FILE appears (the flag ferry-peer
      writes, POST /maintenance; inotify on its directory, and checked again
      right before each COMMIT: a transaction not yet committed then is
      rolled back), when the server refuses writes (read-only), or at
      SIGTERM (systemd stopping the unit). Every COMMITTED transaction is
      one line of LOG (written once COMMIT returned): its number, commit
      time and every row it wrote with its final values, or the ids it
      deleted. "late": true marks a commit during which the flag appeared.
      The last line is the summary: {"end": REASON, "committed": N, ...}.
      Exit 0 when it stopped for maintenance (flag, read-only, SIGTERM), 1
      otherwise (error, or --max-seconds, default 3600, reached).

  hotspot_writer.py check --log LOG.jsonl --socket SOCK [--socket SOCK2 ...]
      Replays LOG (the writes committed before the writer stopped) into the
      state the writer's tables must have, reads them on each server (as
      root through the socket) and compares row by row: every committed
      insert and update present exactly once with its final values, every
      deleted row absent, no other row. Prints one JSON line per server
      and exits 1 when any differs.

  hotspot_writer.py stats --log LOG.jsonl
      The summary line of LOG as JSON (transactions, rows, rate).

Needs python3-mysqldb (Debian 12: MariaDB Connector/C underneath, the
client library ferry itself uses).
"""
import ctypes
import datetime
import json
import os
import random
import secrets
import select
import signal
import sys
import time

import MySQLdb

TABLES = {
    "writer_accounts": """CREATE TABLE writer_accounts (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  balance BIGINT NOT NULL,
  note VARCHAR(255) CHARACTER SET utf8mb4 NULL,
  updated DATETIME(6) NOT NULL,
  KEY k_name (name)
) ENGINE=InnoDB""",
    "writer_sessions": """CREATE TABLE writer_sessions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  bytes BIGINT NOT NULL,
  state VARCHAR(16) NOT NULL,
  KEY k_account (account_id)
) ENGINE=InnoDB""",
    "writer_events": """CREATE TABLE writer_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id BIGINT NOT NULL,
  body BLOB NULL,
  KEY k_session (session_id)
) ENGINE=InnoDB""",
}
COLUMNS = {
    "writer_accounts": ("name", "balance", "note", "updated"),
    "writer_sessions": ("account_id", "bytes", "state"),
    "writer_events": ("session_id", "body"),
}
ACCOUNT = "hotspot_writer"
# ER_OPTION_PREVENTS_STATEMENT (read_only), ER_READ_ONLY_MODE.
READ_ONLY_ERRORS = (1290, 1836)


def norm(v):
    """A value as the checker compares it (the same from the writer's
    Python value and from what the server returns)."""
    if isinstance(v, (bytes, bytearray)):
        return "x:" + bytes(v).hex()
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    return v


def connect(socket, user="root", password=None, schema=None):
    kw = {"unix_socket": socket, "user": user, "charset": "utf8mb4", "autocommit": False}
    if password is not None:
        kw["passwd"] = password
    if schema:
        kw["db"] = schema
    return MySQLdb.connect(**kw)


class Inotify:
    """Wakes the writer when a file appears in a directory (no polling)."""
    IN_CREATE, IN_MOVED_TO = 0x100, 0x80

    def __init__(self, directory):
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, directory.encode(),
                                                 self.IN_CREATE | self.IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), f"inotify on {directory}")

    def wait(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if r:
            try:
                os.read(self.fd, 65536)
            except BlockingIOError:
                pass


class Writer:
    def __init__(self, a):
        self.a = a
        self.rnd = random.Random(f"hotspot-writer:{a['seed']}")
        self.rows = {t: {} for t in TABLES}   # table -> id -> values, as committed
        self.log = open(a["log"], "w", buffering=1)
        self.stop_reason = None
        self.counts = {"insert": 0, "update": 0, "delete": 0}

    # --- values ------------------------------------------------------------
    def text(self):
        # 4-byte UTF-8, tab, newline, quote and backslash: bytes a copy must keep.
        parts = ["caf\u00e9", "\U0001F600", "tab\there", "line\nbreak", "quo'te", "back\\slash", "plain"]
        return " ".join(self.rnd.choice(parts) for _ in range(self.rnd.randint(1, 5)))

    def blob(self):
        return bytes(self.rnd.getrandbits(8) for _ in range(self.rnd.randint(0, 300)))

    def stamp(self):
        return datetime.datetime(2026, 1, 1) + datetime.timedelta(microseconds=self.rnd.randint(0, 10**13))

    # --- set-up ------------------------------------------------------------
    def setup(self):
        schema = self.a["schema"]
        root = connect(self.a["socket"], schema=schema)
        c = root.cursor()
        self.password = secrets.token_hex(16)  # in memory only
        # The account is no data of the hotspot schema: kept out of the binary log.
        c.execute("SET SESSION sql_log_bin=0")
        c.execute(f"CREATE OR REPLACE USER '{ACCOUNT}'@'localhost' IDENTIFIED BY %s", (self.password,))
        c.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON `{schema}`.* TO '{ACCOUNT}'@'localhost'")
        c.execute("SET SESSION sql_log_bin=1")
        for t in TABLES:
            c.execute(f"DROP TABLE IF EXISTS `{t}`")
        for ddl in TABLES.values():
            c.execute(ddl)
        root.commit()
        view = self.rows  # the seed is one transaction, committed below
        ops = []
        for i in range(1, self.a["rows"] + 1):
            ops.append(self.put(c, view, "writer_accounts", i, {
                "name": f"acct-{i}", "balance": self.rnd.randint(0, 10**6), "note": self.text(),
                "updated": self.stamp()}))
        for _ in range(self.a["rows"]):
            ops.append(self.new_session(c, view))
            ops.append(self.new_event(c, view, ops[-1][2]))
        root.commit()
        self.log_txn(0, ops, False)
        root.close()
        self.db = connect(self.a["socket"], ACCOUNT, self.password, schema)

    # --- writes: each applies itself to VIEW and returns its record --------
    def put(self, c, view, table, id_, values):
        cols = COLUMNS[table]
        marks = ", ".join(["%s"] * len(cols))
        if id_ is None:
            c.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", tuple(values[k] for k in cols))
            id_ = c.lastrowid
        else:
            c.execute(f"INSERT INTO {table} (id, {', '.join(cols)}) VALUES (%s, {marks})",
                      (id_, *(values[k] for k in cols)))
        self.counts["insert"] += 1
        return apply_op(view, ["i", table, id_, {k: norm(v) for k, v in values.items()}])

    def new_session(self, c, view):
        return self.put(c, view, "writer_sessions", None, {
            "account_id": self.rnd.choice(list(view["writer_accounts"])), "bytes": self.rnd.randint(0, 10**9),
            "state": self.rnd.choice(["open", "idle", "closed"])})

    def new_event(self, c, view, session):
        return self.put(c, view, "writer_events", None, {"session_id": session, "body": self.blob()})

    def update(self, c, view, table, id_, sql, args, changes):
        c.execute(sql, args)
        v = dict(view[table][id_])
        v.update(changes)
        self.counts["update"] += 1
        return apply_op(view, ["u", table, id_, v])

    def delete(self, c, view, table, id_):
        c.execute(f"DELETE FROM {table} WHERE id = %s", (id_,))
        self.counts["delete"] += 1
        return apply_op(view, ["d", table, id_])

    def transaction(self, c, view):
        """Two or three changes of the kinds a hotspot's services make."""
        ops = []
        for kind in self.rnd.sample(["login", "account", "traffic", "expire", "event"], self.rnd.randint(2, 3)):
            sessions = list(view["writer_sessions"])
            if kind == "login" or not sessions:  # a new session and its first event
                ops.append(self.new_session(c, view))
                ops.append(self.new_event(c, view, ops[-1][2]))
            elif kind == "account":  # relative: a write applied twice shows in the balance
                aid = self.rnd.choice(list(view["writer_accounts"]))
                d, note, upd = self.rnd.randint(-500, 500), self.text(), self.stamp()
                ops.append(self.update(
                    c, view, "writer_accounts", aid,
                    "UPDATE writer_accounts SET balance = balance + %s, note = %s, updated = %s WHERE id = %s",
                    (d, note, upd, aid),
                    {"balance": view["writer_accounts"][aid]["balance"] + d, "note": note, "updated": norm(upd)}))
            elif kind == "traffic":
                sid = self.rnd.choice(sessions)
                d = self.rnd.randint(1, 10**6)
                ops.append(self.update(
                    c, view, "writer_sessions", sid,
                    "UPDATE writer_sessions SET bytes = bytes + %s, state = 'open' WHERE id = %s", (d, sid),
                    {"bytes": view["writer_sessions"][sid]["bytes"] + d, "state": "open"}))
            elif kind == "expire":  # a session and its events go
                sid = self.rnd.choice(sessions)
                for eid in [e for e, v in view["writer_events"].items() if v["session_id"] == sid]:
                    ops.append(self.delete(c, view, "writer_events", eid))
                ops.append(self.delete(c, view, "writer_sessions", sid))
            else:  # an event replaced
                if view["writer_events"]:
                    ops.append(self.delete(c, view, "writer_events", self.rnd.choice(list(view["writer_events"]))))
                ops.append(self.new_event(c, view, self.rnd.choice(sessions)))
        return ops

    def log_txn(self, n, ops, late):
        self.log.write(json.dumps({"n": n, "t": round(time.time(), 6), "late": late, "ops": ops}) + "\n")

    # --- the loop ----------------------------------------------------------
    def flag_up(self):
        return os.path.lexists(self.a["flag"])

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stop_reason", "sigterm"))
        watch = Inotify(os.path.dirname(os.path.abspath(self.a["flag"])))
        self.setup()
        if self.a.get("ready"):
            open(self.a["ready"], "w").close()
        rate, n, committed, late_n = self.a["rate"], 0, 0, 0
        start = time.monotonic()
        deadline = start + self.a["max_seconds"]
        first = last = flag_seen = None
        c = self.db.cursor()
        while True:
            if self.flag_up():
                self.stop_reason = self.stop_reason or "maintenance"
                flag_seen = time.time()
            if self.stop_reason:
                break
            now = time.monotonic()
            if now >= deadline:
                self.stop_reason = "max-seconds"
                break
            due = start + n / rate
            if now < due:
                watch.wait(due - now)  # paced; the flag wakes it at once
                continue
            n += 1
            view = {t: dict(v) for t, v in self.rows.items()}  # the rows as this transaction leaves them
            try:
                ops = self.transaction(c, view)
                if self.flag_up() or self.stop_reason:
                    # Maintenance began before this COMMIT: the service stops without it.
                    self.db.rollback()
                    self.stop_reason = self.stop_reason or "maintenance"
                    flag_seen = time.time()
                    break
                self.db.commit()
            except MySQLdb.Error as e:
                code = e.args[0] if e.args else 0
                try:
                    self.db.rollback()
                except MySQLdb.Error:
                    pass
                self.stop_reason = "read-only" if code in READ_ONLY_ERRORS else f"error: {e}"
                break
            late = self.flag_up()
            late_n += late
            committed += 1
            self.rows = view
            self.log_txn(n, ops, late)
            first = first or time.time()
            last = time.time()
        span = (last - first) if first and last else 0
        self.log.write(json.dumps({
            "end": self.stop_reason, "committed": committed, "late": late_n, "first": first, "last": last,
            "stopped": round(time.time(), 6), "flag_seen": flag_seen,
            "rate": round((committed - 1) / span, 2) if span > 0 else 0.0, "target_rate": rate,
            "statements": self.counts, "rows": {t: len(v) for t, v in self.rows.items()}}) + "\n")
        self.log.close()
        return 0 if self.stop_reason in ("maintenance", "read-only", "sigterm") else 1


def apply_op(state, op):
    """OP applied to STATE (table -> id -> values); returns OP."""
    if op[0] == "d":
        state[op[1]].pop(op[2], None)
    else:
        state[op[1]][op[2]] = op[3]
    return op


def read_log(path):
    state = {t: {} for t in TABLES}
    summary, txns = None, 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if "end" in rec:
                summary = rec
                continue
            txns += 1
            for op in rec["ops"]:
                apply_op(state, op)
    return state, summary, txns


def check(a):
    want, summary, txns = read_log(a["log"])
    rc = 0
    for sock in a["sockets"]:
        db = connect(sock, schema=a["schema"])
        c = db.cursor()
        res = {"socket": sock, "transactions": txns - 1, "lost": 0, "extra": 0, "differ": 0, "rows": 0}
        examples = []
        for t, cols in COLUMNS.items():
            c.execute(f"SELECT id, {', '.join(cols)} FROM `{t}`")
            have = {}
            for row in c.fetchall():
                if row[0] in have:
                    res["extra"] += 1  # the same id twice (a table without its key)
                have[row[0]] = {k: norm(v) for k, v in zip(cols, row[1:])}
            res["rows"] += len(have)
            for id_, v in want[t].items():
                if id_ not in have:
                    res["lost"] += 1
                    examples.append(f"{t} id {id_} missing")
                elif have[id_] != v:
                    res["differ"] += 1
                    examples.append(f"{t} id {id_}: {have[id_]} != {v}")
            for id_ in have.keys() - want[t].keys():
                res["extra"] += 1
                examples.append(f"{t} id {id_} was never committed (or was deleted)")
        db.close()
        res["ok"] = res["lost"] == res["extra"] == res["differ"] == 0
        if examples:
            res["examples"] = examples[:5]
        rc |= 0 if res["ok"] else 1
        print(json.dumps(res))
    if summary is None:
        print(json.dumps({"error": "the writer's log has no summary: it did not stop"}))
        rc = 1
    return rc


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("run", "check", "stats"):
        sys.exit(__doc__)
    a = {"rate": 30.0, "seed": 1, "rows": 1000, "schema": "hotspot", "max_seconds": 3600.0, "sockets": []}
    it = iter(argv[1:])
    for w in it:
        key = w[2:].replace("-", "_")
        if key == "socket":
            a["socket"] = next(it)
            a["sockets"].append(a["socket"])
        elif key in ("rate", "max_seconds"):
            a[key] = float(next(it))
        elif key in ("seed", "rows"):
            a[key] = int(next(it))
        elif key in ("flag", "log", "ready", "schema"):
            a[key] = next(it)
        else:
            sys.exit(f"hotspot_writer: unknown argument {w}")
    if argv[0] == "run":
        for k in ("socket", "flag", "log"):
            if k not in a:
                sys.exit(f"hotspot_writer run: --{k} is required")
        if a["rate"] <= 0:
            sys.exit("hotspot_writer run: --rate must be > 0")
        sys.exit(Writer(a).run())
    if argv[0] == "check":
        sys.exit(check(a))
    _, summary, txns = read_log(a["log"])
    print(json.dumps(summary or {"end": None, "transactions": txns}))


if __name__ == "__main__":
    main()
