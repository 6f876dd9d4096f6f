#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile source for ferryd: the real ferry-peer behind a TLS front that
answers every JSON endpoint once with the right keys and wrong value types.

    hostile_peer.py --listen ADDR:PORT --upstream ADDR:PORT --bind ADDR \\
                    --cert PEM --key KEY --record FILE

TEST DOUBLE of a compromised source (issue 14 defect 9): it holds the
source's own certificate and key (so ferryd's pin at Probe matches, as it
would for the source itself) and forwards each request to the real
ferry-peer at --upstream, from --bind (the target's address: the peer binds
tokens to it). The first 2xx JSON answer of each (method, path) is replaced
by the same structure with every value of another JSON type (a string
becomes a number, a number a string, a boolean a string, an array an object,
an object keeps its keys with every value changed); later answers of that
(method, path) pass unchanged, so a job that fails on one can be resumed and
meets the next. Error answers (e.g. 401 for a wrong password) are
corrupted the same way, once per (method, path, status). Non-JSON answers
(log downloads) pass unchanged.
Each corrupted (method, path) is appended to --record. Loopback only.
"""
import argparse
import http.client
import http.server
import ipaddress
import json
import ssl
import sys
import threading

seen = set()
lock = threading.Lock()


def wrong(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return 12345
    if isinstance(v, list):
        return {"0": wrong(v[0]) if v else 1}
    if isinstance(v, dict):
        return {k: wrong(x) for k, x in v.items()}
    return []  # null


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--bind", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--record", required=True)
    a = ap.parse_args()
    lhost, lport = a.listen.rsplit(":", 1)
    uhost, uport = a.upstream.rsplit(":", 1)
    for h in (lhost, uhost, a.bind):
        if not ipaddress.ip_address(h).is_loopback:
            sys.exit(f"hostile_peer: refusing {h}: tests stay on 127.0.0.0/8")
    up_ctx = ssl.create_default_context()
    up_ctx.check_hostname = False
    up_ctx.verify_mode = ssl.CERT_NONE

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def forward(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            conn = http.client.HTTPSConnection(uhost, int(uport), context=up_ctx, timeout=120,
                                               source_address=(a.bind, 0))
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "content-length")}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            ctype = resp.getheader("Content-Type", "")
            key = f"{self.command} {self.path.split('?')[0]}"
            if not 200 <= resp.status < 300:
                key += f" ({resp.status})"
            if ctype.startswith("application/json"):
                with lock:
                    first = key not in seen
                    seen.add(key)
                if first:
                    try:
                        data = json.dumps(wrong(json.loads(data))).encode()
                        with open(a.record, "a") as f:
                            f.write(key + "\n")
                    except ValueError:
                        pass
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = forward

    srv = http.server.ThreadingHTTPServer((lhost, int(lport)), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
