#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A job's event history (Job.GetEvents, docs/dbus-api.md) for the tests
that follow a job across restarts and reboots.

  job_events.py from-busctl < busctl --json=short call ... GetEvents t 0
  job_events.py from-journal JOB_JSON   (the events of a job journal copy)
      print the events as JSON lines {"seq", "type", "data"}, keys sorted,
      so that two histories compare with cmp.

  job_events.py prefix BEFORE AFTER
      exit 0 when the (non-empty) history BEFORE is the beginning of AFTER.

  job_events.py order EVENTS TOKEN...
      exit 0 when EVENTS is the whole history of a job that went through
      TOKEN... in this order (other events may come between):
        job-started            an event of that type
        state:S                state-changed to S
        op:ID:S                operation-changed of ID to S
        finished:S             finished with state S
        resumed:K=V,K=V        the next resumed event, with these data
                               (true/false and integers as JSON)
        !op:ID:S               no such event anywhere
      and also: seq is 1, 2, 3, ... without a gap; every resumed event is
      one of the resumed tokens; the last token is the last event; no
      operation failed but where a token op:ID:failed expects it.
"""
import json
import sys


def from_busctl():
    d = json.load(sys.stdin)["data"][0]
    for seq, _t, typ, data in d:
        print(json.dumps({"seq": seq, "type": typ, "data": {k: v["data"] for k, v in data.items()}},
                         sort_keys=True))


def from_journal(path):
    for e in json.load(open(path))["events"]:
        print(json.dumps({"seq": e["seq"], "type": e["type"], "data": e["data"]}, sort_keys=True))


def prefix(before, after):
    b = open(before).read().splitlines()
    a = open(after).read().splitlines()
    if not b:
        sys.exit(f"{before}: no events")
    if a[:len(b)] != b:
        sys.exit(f"the {len(b)} events of {before} are not the beginning of {after}")


def parse_token(tok):
    """(matcher, description) for one TOKEN."""
    kind, _, rest = tok.partition(":")
    if kind == "state":
        return lambda e: e["type"] == "state-changed" and e["data"].get("state") == rest
    if kind == "op":
        op, _, state = rest.partition(":")
        return lambda e: (e["type"] == "operation-changed" and e["data"].get("id") == op
                          and e["data"].get("state") == state)
    if kind == "finished":
        return lambda e: e["type"] == "finished" and e["data"].get("state") == rest
    if kind == "resumed":
        want = {}
        for kv in filter(None, rest.split(",")):
            k, _, v = kv.partition("=")
            want[k] = json.loads(v)
        return lambda e: e["type"] == "resumed" and all(e["data"].get(k) == v for k, v in want.items())
    if not rest:
        return lambda e: e["type"] == kind
    sys.exit(f"job_events.py: unknown token {tok}")


def order(path, tokens):
    ev = [json.loads(line) for line in open(path)]
    seqs = [e["seq"] for e in ev]
    assert seqs == list(range(1, len(ev) + 1)), f"seq not contiguous from 1: {seqs}"
    pos = -1
    resumed_tokens = 0
    expected_failures = set()  # events matched by an op:ID:failed token
    for tok in tokens:
        if tok.startswith("!"):
            match = parse_token(tok[1:])
            hits = [e for e in ev if match(e)]
            assert not hits, f"{tok}: {hits}"
            continue
        match = parse_token(tok)
        if tok.startswith("resumed:"):
            resumed_tokens += 1
            # The next resumed event is this one: resumes are never skipped.
            nxt = next((i for i in range(pos + 1, len(ev)) if ev[i]["type"] == "resumed"), None)
            assert nxt is not None and match(ev[nxt]), f"{tok}: next resumed after #{pos + 1} is " + (
                json.dumps(ev[nxt]) if nxt is not None else "none")
            pos = nxt
            continue
        nxt = next((i for i in range(pos + 1, len(ev)) if match(ev[i])), None)
        assert nxt is not None, f"{tok} not found after event #{pos + 1}: " + json.dumps(ev[pos + 1:])
        if tok.startswith("op:") and tok.endswith(":failed"):
            expected_failures.add(nxt)
        pos = nxt
    resumed = [e for e in ev if e["type"] == "resumed"]
    assert len(resumed) == resumed_tokens, f"{len(resumed)} resumed events, {resumed_tokens} expected: {resumed}"
    assert pos == len(ev) - 1, f"events after the last token: {ev[pos + 1:]}"
    failed = [e for i, e in enumerate(ev) if e["type"] == "operation-changed"
              and e["data"].get("state") == "failed" and i not in expected_failures]
    assert not failed, f"failed operations: {failed}"


def main(argv):
    if len(argv) >= 1 and argv[0] == "from-busctl":
        from_busctl()
    elif len(argv) == 2 and argv[0] == "from-journal":
        from_journal(argv[1])
    elif len(argv) == 3 and argv[0] == "prefix":
        prefix(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "order":
        try:
            order(argv[1], argv[2:])
        except AssertionError as e:
            sys.exit(f"job_events.py order: {e}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
