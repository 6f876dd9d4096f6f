#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate and load a realistic hotspot data set into a MariaDB instance.

    gen_dataset.py --socket DIR/mysqld.sock [--rows 200000] [--seed 1]
                   [--schema hotspot] [--jobs 2] [--workdir DIR]

Creates the schema (drops it first), writes one tab-separated file per table
in LOAD DATA's default format (\\ escapes, \\N for NULL) and loads them with
`mariadb --local-infile`, `--jobs` tables at a time, generation of one table
overlapping the load of another. Stdlib only; deterministic: the same
--rows and --seed give byte-identical tables (each table has its own
random.Random seeded from "seed:table").

Tables (share of --rows in brackets):
  nas               (fixed 64)      small lookup table, UNIQUE name
  users             (10%)           UNIQUE username, nullable UNIQUE email,
                                    an INVISIBLE column, AFTER INSERT trigger
  vouchers          (8%)            FOREIGN KEY to users (ON DELETE SET NULL)
  sessions          (27%)           start/stop, bytes in/out, mac, ip,
                                    nullable fields, a VIRTUAL column
  accounting        (25%)           6 secondary indexes
  event_log         (9%)            TEXT/BLOB/MEDIUMTEXT with 0x00, tab,
                                    newline, CR, backslash, 'NULL', '\\N',
                                    UTF-8 (incl. 4-byte), NULLs
  traffic_samples   (12%)           no primary key
  device_inventory  (5%)            wide: ~50 columns of most column types
  radius_cache      (2%)            Aria (non-transactional)
  audit             (= users)       written by the trigger's rows, loaded
  view v_open_sessions, trigger users_ai, sequence voucher_batch, function
  mac_norm, procedure expire_vouchers, event purge_event_log (disabled),
  all created after the load
Prints a one-line summary (rows, seconds) on stdout.
"""

import argparse
import concurrent.futures
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

SHARES = [
    ("users", 0.10),
    ("vouchers", 0.08),
    ("sessions", 0.27),
    ("accounting", 0.25),
    ("event_log", 0.09),
    ("traffic_samples", 0.12),
    ("device_inventory", 0.05),
    ("radius_cache", 0.02),
]
NAS_ROWS = 64
EPOCH = 1_600_000_000  # 2020-09-13 UTC

SCHEMA = r"""
CREATE TABLE nas (
  id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  ip INT UNSIGNED NOT NULL,
  secret VARBINARY(64) NOT NULL,
  location VARCHAR(128) NULL,
  UNIQUE KEY uk_name (name)
) ENGINE=InnoDB;

CREATE TABLE users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  email VARCHAR(191) NULL,
  full_name VARCHAR(128) NULL,
  password_hash BINARY(32) NOT NULL,
  status ENUM('active','disabled','expired') NOT NULL DEFAULT 'active',
  balance DECIMAL(12,2) NOT NULL DEFAULT 0,
  created DATETIME NOT NULL,
  last_login TIMESTAMP NULL DEFAULT NULL,
  notes TEXT NULL,
  internal_ref INT NULL INVISIBLE,
  UNIQUE KEY uk_username (username),
  UNIQUE KEY uk_email (email),
  KEY k_created (created)
) ENGINE=InnoDB;

CREATE TABLE audit (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id INT UNSIGNED NOT NULL,
  action VARCHAR(16) NOT NULL,
  at DATETIME NOT NULL,
  KEY k_user (user_id)
) ENGINE=InnoDB;

CREATE TABLE vouchers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code CHAR(16) CHARACTER SET ascii NOT NULL,
  user_id INT UNSIGNED NULL,
  profile VARCHAR(32) NOT NULL,
  minutes INT UNSIGNED NOT NULL,
  price DECIMAL(8,2) NOT NULL,
  created DATETIME NOT NULL,
  used_at DATETIME NULL,
  expires DATE NULL,
  UNIQUE KEY uk_code (code),
  KEY k_user (user_id),
  CONSTRAINT fk_vouchers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB;

CREATE TABLE sessions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id INT UNSIGNED NOT NULL,
  nas_id SMALLINT UNSIGNED NOT NULL,
  mac CHAR(17) CHARACTER SET ascii NOT NULL,
  ip VARCHAR(45) CHARACTER SET ascii NULL,
  start DATETIME(3) NOT NULL,
  stop DATETIME(3) NULL,
  bytes_in BIGINT UNSIGNED NOT NULL DEFAULT 0,
  bytes_out BIGINT UNSIGNED NOT NULL DEFAULT 0,
  total_bytes BIGINT UNSIGNED AS (bytes_in + bytes_out) VIRTUAL,
  terminate_cause VARCHAR(32) NULL,
  KEY k_user_start (user_id, start),
  KEY k_mac (mac),
  KEY k_start (start)
) ENGINE=InnoDB;

CREATE TABLE accounting (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id BIGINT UNSIGNED NOT NULL,
  user_id INT UNSIGNED NOT NULL,
  acct_session_id VARCHAR(32) CHARACTER SET ascii NOT NULL,
  status_type ENUM('Start','Interim-Update','Stop') NOT NULL,
  event_time DATETIME NOT NULL,
  nas_port INT UNSIGNED NULL,
  input_octets BIGINT UNSIGNED NOT NULL,
  output_octets BIGINT UNSIGNED NOT NULL,
  input_packets INT UNSIGNED NOT NULL,
  output_packets INT UNSIGNED NOT NULL,
  framed_ip INT UNSIGNED NULL,
  called_station VARCHAR(64) NULL,
  calling_station CHAR(17) CHARACTER SET ascii NULL,
  KEY k_session (session_id),
  KEY k_user (user_id),
  KEY k_acct (acct_session_id),
  KEY k_time (event_time),
  KEY k_ip (framed_ip),
  KEY k_calling (calling_station)
) ENGINE=InnoDB;

CREATE TABLE event_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  level TINYINT NOT NULL,
  source VARCHAR(32) NOT NULL,
  message TEXT NOT NULL,
  payload BLOB NULL,
  context MEDIUMTEXT NULL,
  KEY k_ts (ts),
  KEY k_level_source (level, source)
) ENGINE=InnoDB;

CREATE TABLE traffic_samples (
  sampled_at DATETIME NOT NULL,
  mac CHAR(17) CHARACTER SET ascii NULL,
  proto VARCHAR(8) NOT NULL,
  dst_port SMALLINT UNSIGNED NULL,
  bytes INT UNSIGNED NOT NULL,
  KEY k_sampled (sampled_at)
) ENGINE=InnoDB;

CREATE TABLE radius_cache (
  k VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  v VARBINARY(255) NULL,
  hits INT UNSIGNED NOT NULL,
  updated DATETIME NOT NULL
) ENGINE=Aria;

CREATE TABLE device_inventory (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  c_tiny TINYINT NOT NULL,
  c_tiny_u TINYINT UNSIGNED NULL,
  c_small SMALLINT NOT NULL,
  c_medium MEDIUMINT UNSIGNED NOT NULL,
  c_int INT NULL,
  c_big BIGINT NOT NULL,
  c_big_u BIGINT UNSIGNED NOT NULL,
  c_bool BOOLEAN NOT NULL,
  c_dec DECIMAL(20,6) NOT NULL,
  c_dec_neg DECIMAL(10,4) NULL,
  c_float FLOAT NOT NULL,
  c_double DOUBLE NULL,
  c_bit8 BIT(8) NOT NULL,
  c_bit1 BIT(1) NULL,
  c_bit40 BIT(40) NOT NULL,
  c_date DATE NOT NULL,
  c_datetime DATETIME NULL,
  c_datetime6 DATETIME(6) NOT NULL,
  c_ts TIMESTAMP NULL DEFAULT NULL,
  c_time TIME NOT NULL,
  c_time3 TIME(3) NULL,
  c_year YEAR NOT NULL,
  c_enum ENUM('ap','switch','router','gateway','') NOT NULL,
  c_set SET('wifi','lte','eth','poe','vlan') NOT NULL,
  c_char CHAR(2) CHARACTER SET latin1 NOT NULL,
  c_latin VARCHAR(64) CHARACTER SET latin1 NULL,
  c_utf8 VARCHAR(64) NULL,
  c_ascii VARCHAR(32) CHARACTER SET ascii NOT NULL,
  c_binary BINARY(16) NOT NULL,
  c_varbinary VARBINARY(64) NULL,
  c_tinytext TINYTEXT NULL,
  c_tinyblob TINYBLOB NULL,
  c_mediumblob MEDIUMBLOB NULL,
  c_json JSON NULL,
  c_uuid UUID NULL,
  c_inet6 INET6 NULL,
  c_point POINT NULL,
  c_serial VARCHAR(32) NOT NULL,
  c_firmware VARCHAR(16) NOT NULL,
  c_vendor VARCHAR(32) NOT NULL,
  c_model VARCHAR(32) NOT NULL,
  c_location VARCHAR(128) NULL,
  c_notes TEXT NULL,
  c_rx BIGINT UNSIGNED NOT NULL,
  c_tx BIGINT UNSIGNED NOT NULL,
  c_uptime INT UNSIGNED NOT NULL,
  c_temp DECIMAL(5,2) NULL,
  c_flags SMALLINT UNSIGNED NOT NULL,
  c_last_seen DATETIME NOT NULL,
  c_checksum CHAR(40) CHARACTER SET ascii NOT NULL,
  UNIQUE KEY uk_serial (c_serial),
  KEY k_model (c_vendor, c_model)
) ENGINE=InnoDB;
"""

POST_SQL = r"""
CREATE VIEW v_open_sessions AS
  SELECT id, user_id, mac, start FROM sessions WHERE stop IS NULL;
CREATE SEQUENCE voucher_batch START WITH 1000 INCREMENT BY 1 CACHE 100;
SELECT NEXTVAL(voucher_batch), NEXTVAL(voucher_batch);
CREATE FUNCTION mac_norm(m VARCHAR(17)) RETURNS CHAR(17) CHARACTER SET ascii DETERMINISTIC
  RETURN UPPER(REPLACE(m, '-', ':'));
CREATE PROCEDURE expire_vouchers(IN d DATE) MODIFIES SQL DATA
  UPDATE vouchers SET expires = d WHERE expires < d;
CREATE EVENT purge_event_log ON SCHEDULE EVERY 1 DAY DISABLE
  DO DELETE FROM event_log WHERE ts < NOW() - INTERVAL 365 DAY;
DELIMITER //
CREATE TRIGGER users_ai AFTER INSERT ON users FOR EACH ROW
BEGIN
  INSERT INTO audit (user_id, action, at) VALUES (NEW.id, 'created', NEW.created);
END//
DELIMITER ;
"""

# LOAD DATA column clauses (generated columns left out, invisible ones in).
COLUMNS = {
    "nas": "(id,name,ip,secret,location)",
    "users": "(id,username,email,full_name,password_hash,status,balance,created,last_login,notes,internal_ref)",
    "audit": "(id,user_id,action,at)",
    "vouchers": "(id,code,user_id,profile,minutes,price,created,used_at,expires)",
    "sessions": "(id,user_id,nas_id,mac,ip,start,stop,bytes_in,bytes_out,terminate_cause)",
    "accounting": "(id,session_id,user_id,acct_session_id,status_type,event_time,nas_port,"
    "input_octets,output_octets,input_packets,output_packets,framed_ip,called_station,calling_station)",
    "event_log": "(id,ts,level,source,message,payload,context)",
    "traffic_samples": "(sampled_at,mac,proto,dst_port,bytes)",
    "radius_cache": "(k,v,hits,updated)",
    # UUID/INET6 given as text: a binary-charset value would be taken as
    # their 16-byte binary form, so they go through variables.
    "device_inventory": "(id,c_tiny,c_tiny_u,c_small,c_medium,c_int,c_big,c_big_u,c_bool,c_dec,c_dec_neg,"
    "c_float,c_double,c_bit8,c_bit1,c_bit40,c_date,c_datetime,c_datetime6,c_ts,c_time,c_time3,c_year,"
    "c_enum,c_set,c_char,c_latin,c_utf8,c_ascii,c_binary,c_varbinary,c_tinytext,c_tinyblob,c_mediumblob,"
    "c_json,@uuid,@inet6,c_point,c_serial,c_firmware,c_vendor,c_model,c_location,c_notes,c_rx,c_tx,"
    "c_uptime,c_temp,c_flags,c_last_seen,c_checksum) "
    "SET c_uuid = CONVERT(@uuid USING ascii), c_inet6 = CONVERT(@inet6 USING ascii)",
}

FIRST = ["Anna", "Jürgen", "Zoë", "Łukasz", "María", "Søren", "Ngọc", "Олег", "李", "Αλέξης",
         "Chloé", "José", "Ayşe", "Björk", "Ömer", "Saoirse", "Dvořák", "Nuño", "Kai", "Emma"]
LAST = ["Müller", "García", "O'Brien", "Nguyễn", "Иванов", "王", "Kowalski", "Øvergaard",
        "Smith", "D'Angelo", "Papadopoulos", "Yılmaz", "Fernández", "Häkkinen", "Tanaka"]
WORDS = ["login", "logout", "radius", "timeout", "voucher", "redeemed", "captive", "portal",
         "auth", "failed", "ok", "dhcp", "lease", "quota", "exceeded", "café", "naïve", "日本",
         "😀", "🚀", "Grüße", "ñ", "\\", "\"quoted\"", "'single'", "%", "_", "NULL", "\\N"]
PROFILES = ["1h", "1d", "1w", "30d", "unlimited", "conference", "lobby", "staff"]
CAUSES = [None, "User-Request", "Idle-Timeout", "Session-Timeout", "Lost-Carrier", "Admin-Reset"]
SOURCES = ["radiusd", "portal", "dhcpd", "firewall", "ferry", "cron", "kernel", "web"]
PROTOS = ["tcp", "udp", "icmp", "gre", "esp"]


def esc(v):
    """One field in LOAD DATA's default format."""
    if v is None:
        return b"\\N"
    if isinstance(v, bytes):
        b = v
    elif isinstance(v, str):
        b = v.encode("utf-8")
    else:
        b = str(v).encode("ascii")
    if b"\\" in b:
        b = b.replace(b"\\", b"\\\\")
    if b"\t" in b:
        b = b.replace(b"\t", b"\\t")
    if b"\n" in b:
        b = b.replace(b"\n", b"\\n")
    if b"\x00" in b:
        b = b.replace(b"\x00", b"\\0")
    return b


def dt(ts, frac_digits=0, r=None):
    s = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))
    if frac_digits:
        s += "." + str(r.randrange(10 ** frac_digits)).zfill(frac_digits)
    return s


def mac(r):
    return ":".join("%02x" % r.randrange(256) for _ in range(6))


def ipv4(r):
    return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))


def sentence(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def nasty_bytes(r, n):
    """Random bytes, biased to the bytes that need escaping."""
    special = [0, 9, 10, 13, 92, 78, 39, 34, 0xFF, 0xC3]
    return bytes(r.choice(special) if r.random() < 0.3 else r.randrange(256) for _ in range(n))


def gen_nas(r, n, start_id):
    for i in range(1, NAS_ROWS + 1):
        yield (i, "nas-%02d" % i, (10 << 24) + i, nasty_bytes(r, 16),
               None if i % 7 == 0 else "Floor %d, Gebäude %s" % (i % 9, chr(65 + i % 26)))


def gen_users(r, n, start_id):
    for i in range(start_id, start_id + n):
        name = "%s.%s%d" % (r.choice(FIRST), r.choice(LAST), i)
        email = None if r.random() < 0.15 else "u%d@example%d.org" % (i, i % 13)
        full = None if r.random() < 0.1 else "%s %s" % (r.choice(FIRST), r.choice(LAST))
        created = EPOCH + r.randrange(0, 3 * 365 * 86400)
        last = None if r.random() < 0.3 else dt(created + r.randrange(0, 86400 * 90))
        notes = None if r.random() < 0.7 else sentence(r, r.randrange(1, 12)) + ("\tTAB\nNL" if r.random() < 0.2 else "")
        yield (i, name, email, full, r.randbytes(32), r.choice(["active", "active", "disabled", "expired"]),
               "%d.%02d" % (r.randrange(0, 100000), r.randrange(100)), dt(created), last, notes,
               None if r.random() < 0.5 else r.randrange(-2**31, 2**31))


def gen_audit_rows(users_rows):
    # What the AFTER INSERT trigger would have written for each user.
    for k, u in enumerate(users_rows, start=1):
        yield (k, u[0], "created", u[7])


def gen_vouchers(r, n, start_id, n_users):
    for i in range(start_id, start_id + n):
        created = EPOCH + r.randrange(0, 3 * 365 * 86400)
        used = r.random() < 0.6
        yield (i, "%08X%08X" % (i, r.randrange(2**32)),
               (r.randrange(1, n_users + 1) if used and n_users else None),
               r.choice(PROFILES), r.choice([60, 1440, 10080, 43200, 0]),
               "%d.%02d" % (r.randrange(0, 200), r.randrange(100)), dt(created),
               dt(created + r.randrange(60, 86400 * 10)) if used else None,
               None if r.random() < 0.2 else time.strftime("%Y-%m-%d", time.gmtime(created + 86400 * 365)))


def gen_sessions(r, n, start_id, n_users):
    for i in range(start_id, start_id + n):
        start = EPOCH + r.randrange(0, 3 * 365 * 86400)
        open_ = r.random() < 0.05
        yield (i, r.randrange(1, max(n_users, 1) + 1), r.randrange(1, NAS_ROWS + 1), mac(r),
               None if r.random() < 0.03 else (ipv4(r) if r.random() < 0.9 else "2001:db8::%x" % r.randrange(65536)),
               dt(start, 3, r), None if open_ else dt(start + r.randrange(1, 86400), 3, r),
               r.randrange(0, 2**34), r.randrange(0, 2**32), None if open_ else r.choice(CAUSES))


def gen_accounting(r, n, start_id, n_users, n_sessions):
    types = ["Start", "Interim-Update", "Interim-Update", "Stop"]
    for i in range(start_id, start_id + n):
        t = EPOCH + r.randrange(0, 3 * 365 * 86400)
        yield (i, r.randrange(1, max(n_sessions, 1) + 1), r.randrange(1, max(n_users, 1) + 1),
               "%016x" % r.randrange(2**64), r.choice(types), dt(t),
               None if r.random() < 0.1 else r.randrange(0, 65536),
               r.randrange(0, 2**36), r.randrange(0, 2**34), r.randrange(0, 2**31), r.randrange(0, 2**31),
               None if r.random() < 0.05 else (10 << 24) + r.randrange(2**24),
               None if r.random() < 0.2 else "%s:Hotspot-%d" % (mac(r).upper().replace(":", "-"), r.randrange(40)),
               None if r.random() < 0.05 else mac(r).upper().replace(":", "-"))


def gen_event_log(r, n, start_id):
    specials = [b"", b"NULL", b"\\N", b"\\", b"\t", b"\n", b"\r\n", b"\x00", b"\\0", b"a\x00b\tc\nd\\e"]
    for i in range(start_id, start_id + n):
        t = EPOCH + r.randrange(0, 3 * 365 * 86400)
        msg = sentence(r, r.randrange(3, 30))
        if r.random() < 0.1:
            msg += "\twith tab\nand newline \\ backslash \r CR"
        if r.random() < 0.02:
            msg = r.choice(["", "NULL", "\\N", "\\", "\n", "\t"])
        pr = r.random()
        if pr < 0.2:
            payload = None
        elif pr < 0.3:
            payload = r.choice(specials)
        else:
            payload = nasty_bytes(r, r.randrange(0, 400))
        ctx = None if r.random() < 0.6 else '{"mac":"%s","ip":"%s","note":"%s"}' % (mac(r), ipv4(r), r.choice(WORDS).replace("\\", "\\\\").replace('"', '\\"'))
        yield (i, dt(t, 6, r), r.randrange(0, 8), r.choice(SOURCES), msg, payload, ctx)


def gen_traffic(r, n, start_id):
    for _ in range(n):
        # Duplicates on purpose: a table without a key may hold equal rows.
        t = EPOCH + r.randrange(0, 30 * 86400)
        yield (dt(t), None if r.random() < 0.05 else mac(r), r.choice(PROTOS),
               None if r.random() < 0.1 else r.choice([53, 80, 443, 123, 5353, r.randrange(65536)]),
               r.randrange(0, 2**31))


def gen_radius_cache(r, n, start_id):
    for i in range(start_id, start_id + n):
        yield ("acct:%012d" % i, None if r.random() < 0.1 else nasty_bytes(r, r.randrange(0, 60)),
               r.randrange(0, 100000), dt(EPOCH + r.randrange(0, 86400 * 30)))


def gen_device_inventory(r, n, start_id):
    vendors = ["Ubiquiti", "MikroTik", "Cisco", "Aruba", "TP-Link", "Ruckus"]
    for i in range(start_id, start_id + n):
        t = EPOCH + r.randrange(0, 3 * 365 * 86400)
        yield (
            i, r.randrange(-128, 128), None if r.random() < 0.1 else r.randrange(256),
            r.randrange(-32768, 32768), r.randrange(2**24), None if r.random() < 0.1 else r.randrange(-2**31, 2**31),
            r.randrange(-2**63, 2**63), r.randrange(2**64), r.randrange(2),
            "%s%d.%06d" % ("-" if r.random() < 0.3 else "", r.randrange(10**14), r.randrange(10**6)),
            None if r.random() < 0.2 else "-%d.%04d" % (r.randrange(10**6), r.randrange(10**4)),
            "%.3f" % (r.uniform(-1000, 1000)), None if r.random() < 0.1 else repr(r.uniform(-1e9, 1e9)),
            bytes([r.randrange(256)]), None if r.random() < 0.2 else bytes([r.randrange(2)]),
            r.randbytes(5),
            time.strftime("%Y-%m-%d", time.gmtime(t)), None if r.random() < 0.1 else dt(t), dt(t, 6, r),
            None if r.random() < 0.3 else dt(t + 3600),
            "%s%d:%02d:%02d" % ("-" if r.random() < 0.1 else "", r.randrange(0, 838), r.randrange(60), r.randrange(60)),
            None if r.random() < 0.2 else "%02d:%02d:%02d.%03d" % (r.randrange(24), r.randrange(60), r.randrange(60), r.randrange(1000)),
            r.randrange(1901, 2156),
            r.choice(["ap", "switch", "router", "gateway", ""]),
            ",".join(x for x in ["wifi", "lte", "eth", "poe", "vlan"] if r.random() < 0.4),
            r.choice(["DE", "FR", "ÅL", "ÑO", "ÉÉ"]).encode("latin-1"),
            None if r.random() < 0.2 else ("Straße %d, Düsseldorf" % r.randrange(500)).encode("latin-1"),
            None if r.random() < 0.2 else "%s %s %s" % (r.choice(FIRST), r.choice(WORDS), r.choice(LAST)),
            "asset-%d" % i, r.randbytes(16),
            None if r.random() < 0.2 else nasty_bytes(r, r.randrange(0, 64)),
            None if r.random() < 0.3 else sentence(r, 4),
            None if r.random() < 0.3 else nasty_bytes(r, r.randrange(0, 100)),
            None if r.random() < 0.7 else nasty_bytes(r, r.randrange(0, 2000)),
            None if r.random() < 0.3 else '{"ssid":"%s","channels":[%d,%d],"ok":true}' % (r.choice(FIRST), r.randrange(1, 14), r.randrange(36, 165)),
            None if r.random() < 0.3 else "%08x-%04x-4%03x-%x%03x-%012x" % (r.randrange(2**32), r.randrange(2**16), r.randrange(2**12), r.randrange(8, 12), r.randrange(2**12), r.randrange(2**48)),
            None if r.random() < 0.3 else ("2001:db8::%x:%x" % (r.randrange(65536), r.randrange(65536)) if r.random() < 0.5 else "::ffff:" + ipv4(r)),
            # POINT in MariaDB's internal form: SRID, then WKB (little endian).
            None if r.random() < 0.3 else struct.pack("<IBIdd", 0, 1, 1, r.uniform(-180, 180), r.uniform(-90, 90)),
            "SN%010d%04X" % (i, r.randrange(65536)), "%d.%d.%d" % (r.randrange(10), r.randrange(20), r.randrange(100)),
            r.choice(vendors), "M-%d" % r.randrange(200),
            None if r.random() < 0.4 else "Rack %d / %s" % (r.randrange(40), r.choice(LAST)),
            None if r.random() < 0.8 else sentence(r, 20),
            r.randrange(2**40), r.randrange(2**40), r.randrange(2**32),
            None if r.random() < 0.2 else "%d.%02d" % (r.randrange(-40, 120), r.randrange(100)),
            r.randrange(65536), dt(t + r.randrange(86400)), "%040x" % r.randrange(2**160),
        )


def write_tsv(path, rows):
    n = 0
    with open(path, "wb", buffering=1 << 20) as f:
        w = f.write
        for row in rows:
            w(b"\t".join(esc(v) for v in row) + b"\n")
            n += 1
    return n


def client(args, sql, local_infile=False):
    cmd = ["mariadb", "--no-defaults", "--socket=" + args.socket, "-uroot", "--batch"]
    if local_infile:
        cmd.append("--local-infile=1")
    p = subprocess.run(cmd, input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("mariadb failed: %s\nSQL: %s" % (p.stderr.decode(errors="replace"), sql[:500]))
    return p.stdout.decode()


def schema_for(version):
    """SCHEMA for the server's VERSION(): the UUID type exists from MariaDB
    10.7; an older server (a Debian 11 source, 10.5: the mixed-generation
    container rig) gets the same values in CHAR(36) ascii."""
    major_minor = tuple(int(x) for x in version.split("-")[0].split(".")[:2])
    if major_minor >= (10, 7):
        return SCHEMA
    return SCHEMA.replace("c_uuid UUID NULL,", "c_uuid CHAR(36) CHARACTER SET ascii NULL,")


def counts(args):
    n = {name: max(1, int(args.rows * share)) for name, share in SHARES}
    return n


def build_table(args, name, n_rows, c, workdir):
    r = random.Random("%d:%s" % (args.seed, name))
    path = os.path.join(workdir, name + ".tsv")
    if name == "nas":
        rows = gen_nas(r, NAS_ROWS, 1)
    elif name == "users":
        rows = list(gen_users(r, n_rows, 1))
        write_tsv(os.path.join(workdir, "audit.tsv"), gen_audit_rows(rows))
    elif name == "vouchers":
        rows = gen_vouchers(r, n_rows, 1, c["users"])
    elif name == "sessions":
        rows = gen_sessions(r, n_rows, 1, c["users"])
    elif name == "accounting":
        rows = gen_accounting(r, n_rows, 1, c["users"], c["sessions"])
    elif name == "event_log":
        rows = gen_event_log(r, n_rows, 1)
    elif name == "traffic_samples":
        rows = gen_traffic(r, n_rows, 1)
    elif name == "radius_cache":
        rows = gen_radius_cache(r, n_rows, 1)
    elif name == "device_inventory":
        rows = gen_device_inventory(r, n_rows, 1)
    else:
        raise ValueError(name)
    written = write_tsv(path, rows)
    loads = [name] + (["audit"] if name == "users" else [])
    for t in loads:
        cols = COLUMNS[t]
        sql = ("SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0, time_zone='+00:00', "
               "sql_mode='NO_AUTO_VALUE_ON_ZERO';\n"
               "LOAD DATA LOCAL INFILE '%s' INTO TABLE `%s`.`%s` CHARACTER SET binary%s;\n"
               "SHOW WARNINGS;\n") % (os.path.join(workdir, t + ".tsv"), args.schema, t,
                                     " " + cols)
        out = client(args, sql, local_infile=True)
        if out.strip():
            raise RuntimeError("warnings loading %s:\n%s" % (t, out[:2000]))
        os.unlink(os.path.join(workdir, t + ".tsv"))
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
    if args.rows < 100:
        ap.error("--rows must be at least 100")
    if not args.schema.replace("_", "").isalnum():
        ap.error("--schema: letters, digits and _ only")

    t0 = time.monotonic()
    c = counts(args)
    schema_sql = schema_for(client(args, "SELECT VERSION();").split()[-1])
    client(args, "SET SESSION sql_log_bin=0;\nDROP DATABASE IF EXISTS `%s`;\n"
                 "CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\n"
                 "USE `%s`;\nSET foreign_key_checks=0;\n%s" % (args.schema, args.schema, args.schema, schema_sql))
    workdir = tempfile.mkdtemp(prefix="ferry-dataset.", dir=args.workdir)
    total = 0
    try:
        # Biggest first, so the two workers end at about the same time.
        order = sorted([("nas", NAS_ROWS)] + list(c.items()), key=lambda x: -x[1])
        with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as ex:
            futs = [ex.submit(build_table, args, name, n, c, workdir) for name, n in order]
            for f in concurrent.futures.as_completed(futs):
                name, n = f.result()
                total += n + (n if name == "users" else 0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    client(args, "SET SESSION sql_log_bin=0, time_zone='+00:00';\nUSE `%s`;\n"
                 # A FLOAT/DOUBLE computed by the server, not parsed from short text.
                 "UPDATE device_inventory SET c_float = c_float / 3, c_double = c_double / 7 WHERE id %% 5 = 0;\n"
                 # Edge values of DOUBLE/FLOAT (shortest-repr round trip).
                 "UPDATE device_inventory SET c_double = ELT(id, 0.1 + 0.2, 4.9406564584124654e-324, "
                 "1.7976931348623157e308, -2.2250738585072014e-308, -0.0, 1e23, 9007199254740993, 1/3), "
                 "c_float = ELT(id, 3.4028234e38, 1.4e-45, -1.17549435e-38, 16777217, 0.1, -0.0, 1/3, 2/3) "
                 "WHERE id <= 8;\n"
                 "%s\nANALYZE TABLE %s;\n" % (args.schema, POST_SQL,
                                              ", ".join(["nas", "audit"] + [n for n, _ in SHARES])))
    print("gen_dataset: schema %s, %d rows, seed %d, %.1f s" % (args.schema, total, args.seed, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
