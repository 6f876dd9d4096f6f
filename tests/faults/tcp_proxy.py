#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A TCP proxy for the fault tests: the link between the target and the source.

    tcp_proxy.py serve --control SOCK --bind LOCAL_ADDR LISTEN_ADDR:PORT=UPSTREAM_ADDR:PORT ...
    tcp_proxy.py ctl SOCK COMMAND [ARGS...]

Every listener forwards to its upstream; the outgoing connection is bound to
LOCAL_ADDR (the target's address), so the source sees the same client
address as without the proxy (its tokens and the temporary MariaDB account
are bound to that address). Only 127.0.0.0/8 is accepted, on both sides.

Commands (PORT is a listening port or "all"); each answers one JSON line:
  stats                  {"PORT": {"conns": n, "active": n, "bytes": n, "stalled": b, "down": b}}
  cut PORT               aborts every open connection on PORT (both sides)
  stall PORT             no byte moves any more on PORT (open connections stay
                         open, new ones are accepted and stalled too)
  resume PORT            ends a stall
  down PORT              refuses new connections (they are reset) and cuts open ones
  up PORT                accepts again
  cut-at PORT BYTES      cuts PORT once BYTES more bytes have moved through it
  stall-at PORT BYTES    stalls PORT once BYTES more bytes have moved through it
  disarm PORT            forgets an armed cut-at/stall-at
  wait-fired PORT SECS   answers when the armed cut-at/stall-at of PORT fired
                         ({"fired": true}), or after SECS ({"fired": false})
The proxy stops by itself after --lifetime seconds (default 3600).
"""
import asyncio
import ipaddress
import json
import os
import socket
import struct
import sys


def loopback(addr):
    if not ipaddress.ip_address(addr).is_loopback:
        sys.exit(f"tcp_proxy: refusing {addr}: tests stay on 127.0.0.0/8")
    return addr


class Port:
    def __init__(self, listen, upstream, bind):
        self.listen, self.upstream, self.bind = listen, upstream, bind
        self.server = None
        self.conns = set()      # (reader-side writers) per connection: a tuple of two writers
        self.total = 0
        self.bytes = 0
        self.go = asyncio.Event()
        self.go.set()
        self.down = False
        self.armed = None       # ("cut"|"stall", at_bytes)
        self.fired = asyncio.Event()

    def stats(self):
        return {"conns": self.total, "active": len(self.conns), "bytes": self.bytes,
                "stalled": not self.go.is_set(), "down": self.down}

    def cut(self):
        for pair in list(self.conns):
            for w in pair:
                abort(w)
        self.conns.clear()

    def moved(self, n):
        self.bytes += n
        if self.armed and self.bytes >= self.armed[1]:
            kind = self.armed[0]
            self.armed = None
            if kind == "cut":
                self.cut()
            else:
                self.go.clear()
            self.fired.set()

    async def start(self):
        host, port = self.listen
        self.server = await asyncio.start_server(self.handle, host, port, reuse_address=True)

    async def handle(self, reader, writer):
        self.total += 1
        if self.down:
            abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(self.upstream[0], self.upstream[1],
                                        local_addr=(self.bind, 0)), 10)
        except (OSError, asyncio.TimeoutError):
            abort(writer)
            return
        pair = (writer, up_writer)
        self.conns.add(pair)
        try:
            await asyncio.gather(self.pump(reader, up_writer), self.pump(up_reader, writer))
        finally:
            self.conns.discard(pair)
            abort(writer)
            abort(up_writer)

    async def pump(self, reader, writer):
        try:
            while True:
                await self.go.wait()
                data = await reader.read(65536)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                await self.go.wait()
                if writer.is_closing():
                    return
                writer.write(data)
                await writer.drain()
                self.moved(len(data))
        except (OSError, asyncio.IncompleteReadError, ConnectionError):
            return


def abort(writer):
    try:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # Close with a reset, as a cut cable followed by a timeout would.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    except (OSError, AttributeError, RuntimeError):
        pass


async def serve(args):
    control, bind, specs, lifetime = args
    ports = {}
    for spec in specs:
        listen, upstream = spec.split("=")
        lh, lp = listen.rsplit(":", 1)
        uh, up = upstream.rsplit(":", 1)
        p = Port((loopback(lh), int(lp)), (loopback(uh), int(up)), loopback(bind))
        await p.start()
        ports[lp] = p

    def select(name):
        return list(ports.values()) if name == "all" else [ports[name]]

    async def command(line):
        words = line.split()
        if not words:
            return {"error": "empty"}
        cmd, rest = words[0], words[1:]
        if cmd == "stats":
            return {k: p.stats() for k, p in ports.items()}
        if cmd in ("cut", "stall", "resume", "down", "up"):
            for p in select(rest[0]):
                if cmd == "cut":
                    p.cut()
                elif cmd == "stall":
                    p.go.clear()
                elif cmd == "resume":
                    p.go.set()
                elif cmd == "down":
                    p.down = True
                    p.cut()
                else:
                    p.down = False
            return {"ok": cmd}
        if cmd in ("cut-at", "stall-at"):
            p = ports[rest[0]]
            p.fired.clear()
            p.armed = (cmd[:-3], p.bytes + int(rest[1]))
            return {"ok": cmd, "at": p.armed[1]}
        if cmd == "disarm":
            for p in select(rest[0]):
                p.armed = None
            return {"ok": cmd}
        if cmd == "wait-fired":
            p = ports[rest[0]]
            try:
                await asyncio.wait_for(p.fired.wait(), float(rest[1]))
                return {"fired": True}
            except asyncio.TimeoutError:
                return {"fired": False}
        return {"error": f"unknown command {cmd}"}

    async def ctl(reader, writer):
        try:
            line = (await reader.readline()).decode()
            try:
                answer = await command(line)
            except (KeyError, IndexError, ValueError) as e:
                answer = {"error": f"bad command {line.strip()!r}: {e}"}
            writer.write((json.dumps(answer) + "\n").encode())
            await writer.drain()
        finally:
            writer.close()

    if os.path.exists(control):
        os.unlink(control)
    server = await asyncio.start_unix_server(ctl, control)
    print(f"tcp_proxy: ready, {len(ports)} ports", flush=True)
    async with server:
        await asyncio.sleep(lifetime)


def ctl(sock_path, words):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall((" ".join(words) + "\n").encode())
    out = b""
    while not out.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    print(out.decode().strip())
    return 1 if b'"error"' in out else 0


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["ctl"] and len(argv) >= 3:
        sys.exit(ctl(argv[1], argv[2:]))
    if argv[:1] != ["serve"]:
        sys.exit(__doc__)
    control = bind = None
    lifetime = 3600.0
    specs = []
    it = iter(argv[1:])
    for a in it:
        if a == "--control":
            control = next(it)
        elif a == "--bind":
            bind = next(it)
        elif a == "--lifetime":
            lifetime = float(next(it))
        else:
            specs.append(a)
    if not control or not bind or not specs:
        sys.exit(__doc__)
    asyncio.run(serve((control, bind, specs, lifetime)))


if __name__ == "__main__":
    main()
