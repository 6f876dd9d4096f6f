#!/usr/bin/env python3
"""The documents stay true (issue 16): fails when

  - a document (docs/*.md, README.md, daemon/steps/README.md) names a file
    of the tree that does not exist: a path in backquotes or a Markdown
    link, e.g. `lib/core/plan.cpp`, `steps/reboot.cpp` (relative to
    daemon/, lib/ or peer/), `core/job.*` (a glob), `peer/api.cpp:477`
    (the line number is not checked);
  - a D-Bus method, property or signal of dbus/*.xml is missing from
    docs/dbus-api.md, or an error name of lib/core/error.cpp;
  - a peer route of peer/api.cpp is missing from docs/peer-api.md;
  - a ferryctl verb of cli/main.cpp is missing from docs/ferryctl.md.

Usage: docs_truth.py SOURCE_ROOT. Pure Python, no build output: about
0.2 s.
"""
import glob
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
failures = []


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def documents():
    docs = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    docs += [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "daemon", "steps", "README.md")]
    return [os.path.relpath(d, ROOT) for d in docs if os.path.exists(d)]


# ------------------------------------------------------------------ files

TOP = ("lib", "daemon", "peer", "cli", "tests", "tools", "docs", "units", "dbus", "polkit",
       "web", "debian", "bench", "po")
# Relative to one of daemon/, lib/, peer/ (how the code's own includes name them).
LAYERS = ("core", "protocol", "appliance", "system", "mariadb", "local", "source", "steps", "bus")
BASES = ("daemon", "lib", "peer", "")
# A placeholder, not a file: `logs/NAME`, `corpus/<target>/`, `$STATE_DIR/x`.
PLACEHOLDER = re.compile(r"[<>$%{}]|\bNAME\b|\bN\b|\bLANG\b|\.\.\.|…|XXXX")
SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
# Paths a document names on purpose although they are not in the tree:
# what the build or a rig makes, and files on an installed system.
NOT_IN_TREE = re.compile(
    r"^(web/dist/.|web/node_modules|bench/out|tests/fuzz/corpus/.|po/.*\.mo$|"
    r"debian/(ferry|ferry-peer|tmp)/|tests/containers/(images|cache)/)")


def exists(rel):
    rel = rel.rstrip("/")
    if any(c in rel for c in "*?["):
        return bool(glob.glob(os.path.join(ROOT, rel)))
    # `core/ddl_check` names the module: its .hpp and .cpp.
    return os.path.exists(os.path.join(ROOT, rel)) or bool(glob.glob(os.path.join(ROOT, rel) + ".?pp"))


def check_path(doc, token):
    token = token.strip().rstrip(".,;:)")
    token = re.sub(r":\d+(-\d+)?$", "", token)  # peer/api.cpp:477
    token = re.sub(r"\s.*$", "", token)  # `peer/api.cpp Api::logs`
    if not token or PLACEHOLDER.search(token) or "://" in token:
        return
    first = token.split("/", 1)[0]
    if "/" not in token:
        return
    if first in TOP:
        if NOT_IN_TREE.match(token) or exists(token):
            return
        failures.append(f"{doc}: names {token}, which does not exist")
    elif first in LAYERS:
        if not any(exists(os.path.join(b, token)) for b in BASES):
            failures.append(f"{doc}: names {token}, found under none of daemon/, lib/, peer/")


def check_files():
    for doc in documents():
        text = read(doc)
        # Code blocks hold commands and output, not references.
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        for m in SPAN.finditer(text):
            for part in re.split(r"[ ,]+", m.group(1)):
                if "/" in part:
                    check_path(doc, part)
        for m in LINK.finditer(text):
            target = m.group(1)
            if "://" in target or target.startswith("mailto:"):
                continue
            rel = os.path.normpath(os.path.join(os.path.dirname(doc), target))
            if not exists(rel):
                failures.append(f"{doc}: links to {target}, which does not exist")


# ------------------------------------------------------------------ references

def words(text):
    return set(re.findall(r"[A-Za-z0-9_./-]+", text))


def check_dbus():
    ref = read("docs/dbus-api.md")
    have = words(ref)
    for xml in sorted(glob.glob(os.path.join(ROOT, "dbus", "*.xml"))):
        text = open(xml, encoding="utf-8").read()
        for kind, name in re.findall(r"<(method|property|signal)\s+name=\"([^\"]+)\"", text):
            if name not in have:
                failures.append(f"docs/dbus-api.md: no {kind} {name} ({os.path.basename(xml)})")
    for name in re.findall(r'case Code::\w+:\s*return "(\w+)"', read("lib/core/error.cpp")):
        if name not in have:
            failures.append(f"docs/dbus-api.md: no error name {name} (lib/core/error.cpp)")


def check_peer_routes():
    ref = read("docs/peer-api.md")
    api = read("peer/api.cpp")
    routes = re.findall(r'\{"([a-z0-9/-]+)", "(GET|POST|PUT|DELETE)"', api)
    routes += [("login", "POST"), ("logs/<name>", "GET"), ("logs/<name>/sha256", "GET")]
    for resource, method in routes:
        if not re.search(re.escape(method) + r" /ferry/v1/" + re.escape(resource) + r"(?![a-z/-])",
                         ref):
            failures.append(f"docs/peer-api.md: no route {method} /ferry/v1/{resource}")


def check_ferryctl_verbs():
    ref = read("docs/ferryctl.md")
    for verb in re.findall(r'^\s*\{"([a-z-]+)", \d', read("cli/main.cpp"), flags=re.M):
        if not re.search(r"^`" + re.escape(verb) + r"`", ref, flags=re.M):
            failures.append(f"docs/ferryctl.md: no command `{verb}` (cli/main.cpp)")


check_files()
check_dbus()
check_peer_routes()
check_ferryctl_verbs()
for f in failures:
    print("FAIL:", f)
if failures:
    print(f"{len(failures)} statement(s) of the documents are not true of the tree.")
    sys.exit(1)
print("docs-truth: every named file exists; every D-Bus member, error name, peer route and "
      "ferryctl verb is in its reference document.")
