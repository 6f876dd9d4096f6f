#!/usr/bin/env python3
"""on_tty.py ANSWER TIMEOUT COMMAND...: runs COMMAND on a pseudo-terminal
(its stdin, stdout and stderr), types ANSWER and a newline when it prints
"[y/N]", prints everything it wrote and exits with its status. For the
tests of a command that asks at a terminal and refuses without one
(ferryctl start). Bounded: COMMAND is killed after TIMEOUT seconds
(exit 124, as timeout(1))."""
import os
import pty
import select
import signal
import sys
import time

answer, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out = b""
answered = False
deadline = time.monotonic() + timeout
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.write(out.decode(errors="replace"))
        sys.exit(124)
    ready, _, _ = select.select([fd], [], [], left)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        chunk = b""
    if not chunk:
        break
    out += chunk
    if not answered and b"[y/N]" in out:
        os.write(fd, answer.encode() + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
