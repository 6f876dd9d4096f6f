#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A man in the middle of MariaDB's port for the fault tests (tls-pin.sh).

    mysql_tls_mitm.py --listen ADDR:PORT --upstream ADDR:PORT --bind ADDR \
        --mode intercept|strip|pass --cert PEM --key PEM --log FILE

MariaDB's TLS starts inside its protocol: the server's greeting is plain,
the client answers with an SSLRequest packet (the CLIENT_SSL capability),
then both sides do a TLS handshake on the same socket. Modes:
  intercept  what an attacker on the path does: greeting passed on, the
             SSLRequest forwarded, TLS to the real server (unverified) and
             TLS to the client with ANOTHER certificate (--cert/--key); then
             it reads and relays everything in clear
  strip      a downgrade: the CLIENT_SSL bit removed from the server's
             greeting, so that a client that does not insist on TLS talks
             in clear
  pass       plain TCP forwarding (the honest path)
Each connection logs one line to --log: the mode, whether the client
completed the TLS handshake with us, and how many bytes of the server's
answers (after the handshake) reached the client. The outgoing connection
is bound to --bind (the target's address, as the source expects). Only
127.0.0.0/8 is accepted. Stops after --lifetime seconds (default 1800).
"""
import argparse
import ipaddress
import socket
import ssl
import struct
import sys
import threading
import time

CLIENT_SSL = 0x800


def loopback(a):
    host, port = a.rsplit(":", 1)
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit(f"mysql_tls_mitm: refusing {host}: tests stay on 127.0.0.0/8")
    return host, int(port)


def read_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise ConnectionError("closed")
        b += chunk
    return b


def read_packet(s):
    head = read_exact(s, 4)
    n = head[0] | head[1] << 8 | head[2] << 16
    return head, read_exact(s, n)


def pump(src, dst, counter, key):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            counter[key] += len(b)
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def handle(client, args, log):
    counter = {"to_client": 0, "to_server": 0}
    tls_done = False
    note = ""
    up = socket.socket()
    try:
        up.bind((args.bind, 0))
        up.connect(args.upstream)
        head, greeting = read_packet(up)
        if args.mode == "strip":
            # Protocol 10 greeting: version byte, server version NUL, thread
            # id (4), scramble (8), filler (1), capability flags (2, low).
            at = greeting.index(b"\0", 1) + 1 + 4 + 8 + 1
            caps = struct.unpack_from("<H", greeting, at)[0] & ~CLIENT_SSL
            greeting = greeting[:at] + struct.pack("<H", caps) + greeting[at + 2:]
        client.sendall(head + greeting)
        if args.mode == "intercept":
            chead, req = read_packet(client)
            caps = struct.unpack_from("<I", req, 0)[0] if len(req) >= 4 else 0
            if len(req) == 32 and caps & CLIENT_SSL:
                up.sendall(chead + req)
                sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                sctx.check_hostname = False
                sctx.verify_mode = ssl.CERT_NONE
                up = sctx.wrap_socket(up)
                cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                cctx.load_cert_chain(args.cert, args.key)
                try:
                    client = cctx.wrap_socket(client, server_side=True)
                    tls_done = True
                except (ssl.SSLError, OSError) as e:
                    note = f" client refused our certificate ({e.__class__.__name__})"
                    raise
            else:
                up.sendall(chead + req)
                note = " client did not ask for TLS"
        t = threading.Thread(target=pump, args=(up, client, counter, "to_client"), daemon=True)
        t.start()
        pump(client, up, counter, "to_server")
        t.join(10)
    except (OSError, ConnectionError, ValueError):
        pass
    finally:
        for s in (client, up):
            try:
                s.close()
            except OSError:
                pass
        with open(args.log, "a") as f:
            f.write(f"conn mode={args.mode} tls_with_client={'yes' if tls_done else 'no'} "
                    f"server_bytes_to_client={counter['to_client']} client_bytes_to_server={counter['to_server']}"
                    f"{note}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=loopback, required=True)
    p.add_argument("--upstream", type=loopback, required=True)
    p.add_argument("--bind", required=True)
    p.add_argument("--mode", choices=["intercept", "strip", "pass"], default="intercept")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--log", required=True)
    p.add_argument("--lifetime", type=int, default=1800)
    args = p.parse_args()
    loopback(args.bind + ":0")
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(args.listen)
    srv.listen(64)
    deadline = time.monotonic() + args.lifetime
    with open(args.log, "a") as f:
        f.write(f"ready {args.mode} {args.listen[0]}:{args.listen[1]}\n")
    srv.settimeout(1)
    while time.monotonic() < deadline:
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(c, args, args.log), daemon=True).start()


if __name__ == "__main__":
    main()
