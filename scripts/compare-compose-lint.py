#!/usr/bin/env python3
"""Compare escalint with compose-lint on the shared Compose corpus, service by service.

Installs compose-lint into a temporary virtual environment with pip, runs both tools with JSON
output on every Compose file of the corpus (each file on its own: compose-lint is told not to
merge override files, as escalint does not), and prints, for each pair of matching rules, how
many services both flag, how many only one of them flags, and how many neither flags. With
--details, it also prints every disagreement, grouped by rule pair and direction, for review.

usage: scripts/compare-compose-lint.py [--corpus DIR] [--escalint BIN] [--compose-lint-version V]
                                       [--details] [--dump FILE]

Not part of the tests: it needs the network for pip and takes a few minutes.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# escalint rules and compose-lint rule ids that check the same thing. Only escalint's errors
# and warnings count: its notes (a service that never sets a user, a GPU or serial device, a root
# user whose entrypoint steps down) are information a team may opt into, below compose-lint's
# findings in weight.
PAIRS = [
    ("docker-socket-mount", ["CL-0001"]),
    ("privileged-service", ["CL-0002"]),
    ("no-new-privileges-missing", ["CL-0003"]),
    ("cap-drop-all-missing", ["CL-0006"]),
    ("host-namespace", ["CL-0008", "CL-0010"]),
    ("unconfined-profile", ["CL-0009"]),
    ("dangerous-capability", ["CL-0011", "CL-0024", "CL-0027", "CL-0028", "CL-0029", "CL-0030"]),
    ("sensitive-host-mount", ["CL-0013", "CL-0016", "CL-0025"]),
    ("root-user", ["CL-0018"]),
]

SERVICE_IN_MESSAGE = re.compile(r"^service `([^`]+)`")

LIST_SERVICES = """
import json, sys, yaml
out = {}
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except Exception:
        continue
    services = doc.get("services") if isinstance(doc, dict) else None
    if isinstance(services, dict):
        out[path] = [str(name) for name in services]
print(json.dumps(out))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "compose"))
    parser.add_argument("--escalint", help="the escalint binary (default: build a release one)")
    parser.add_argument("--compose-lint-version", default="0.36.2")
    parser.add_argument("--details", action="store_true", help="print every disagreement")
    parser.add_argument("--dump", help="write every finding of both tools to this JSON file")
    args = parser.parse_args()

    corpus = os.path.abspath(args.corpus)
    files = compose_files(corpus)
    escalint = os.path.abspath(args.escalint) if args.escalint else build_escalint()

    with tempfile.TemporaryDirectory(prefix="compose-lint-") as venv:
        python, compose_lint = install_compose_lint(venv, args.compose_lint_version)
        services = list_services(python, files)
        theirs = run_compose_lint(compose_lint, files)
    ours = run_escalint(escalint, files)

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            json.dump({"escalint": ours, "compose-lint": theirs}, f, indent=1)

    print_table(services, ours, theirs, corpus, args.details)


def compose_files(corpus):
    found = []
    for folder, _, names in os.walk(corpus):
        for name in names:
            if name.endswith((".yml", ".yaml")):
                found.append(os.path.join(folder, name))
    return sorted(found)


def build_escalint():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "escalint")


def install_compose_lint(venv, version):
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"compose-lint=={version}"], check=True
    )
    return python, os.path.join(venv, "bin", "compose-lint")


def list_services(python, files):
    """Service names per file, read with PyYAML (installed with compose-lint)."""
    run = subprocess.run(
        [python, "-c", LIST_SERVICES, *files], capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


def run_compose_lint(binary, files):
    """(file, service, rule, message) for every finding; files it cannot read are skipped."""
    findings = []
    for path in files:
        run = subprocess.run(
            [binary, "check", "--format", "json", "--no-merge-overrides",
             "--allow-partial-coverage", "--fail-on", "critical", path],
            capture_output=True, text=True, cwd=os.path.dirname(path), timeout=120,
        )
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            continue
        for finding in report.get("findings", []):
            if finding.get("suppressed"):
                continue
            findings.append((path, finding.get("service"), finding["rule_id"], finding["message"]))
    return findings


def run_escalint(binary, files):
    """(file, service, rule, severity, message) for every diagnostic of a Compose service."""
    run = subprocess.run(
        [binary, "check", "--format", "json", "--kind", "compose", "-q", *files],
        capture_output=True, text=True, cwd="/",
    )
    report = json.loads(run.stdout)
    findings = []
    for diagnostic in report["diagnostics"]:
        match = SERVICE_IN_MESSAGE.match(diagnostic["message"])
        if not match:
            continue
        path = diagnostic["file"]
        if not os.path.isabs(path):
            path = os.path.join("/", path)
        findings.append(
            (os.path.normpath(path), match.group(1), diagnostic["rule"], diagnostic["severity"],
             diagnostic["message"])
        )
    return findings


def print_table(services, ours, theirs, corpus, details):
    universe = {(path, name) for path, names in services.items() for name in names}
    print(f"{len(services)} Compose files with services, {len(universe)} services")
    print("escalint's notes are not counted\n")
    print("| escalint | compose-lint | both flag | escalint only | compose-lint only | neither "
          "| agreement |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")

    disagreements = []
    for rule, ids in PAIRS:
        flagged_ours = defaultdict(list)
        for path, service, found_rule, severity, message in ours:
            if found_rule == rule and severity != "note":
                flagged_ours[(path, service)].append(message)
        flagged_theirs = defaultdict(list)
        for path, service, found_rule, message in theirs:
            if found_rule in ids:
                flagged_theirs[(path, service)].append(f"{found_rule}: {message}")

        keys = universe | set(flagged_ours) | set(flagged_theirs)
        both = sum(1 for key in keys if key in flagged_ours and key in flagged_theirs)
        only_ours = sorted(key for key in keys if key in flagged_ours and key not in flagged_theirs)
        only_theirs = sorted(
            key for key in keys if key in flagged_theirs and key not in flagged_ours
        )
        neither = len(keys) - both - len(only_ours) - len(only_theirs)
        agreement = (both + neither) / len(keys) if keys else 1.0
        print(f"| `{rule}` | {', '.join(ids)} | {both} | {len(only_ours)} | {len(only_theirs)} "
              f"| {neither} | {agreement:.1%} |")
        for key in only_ours:
            disagreements.append((rule, "escalint only", key, flagged_ours[key]))
        for key in only_theirs:
            disagreements.append((rule, "compose-lint only", key, flagged_theirs[key]))

    if not details:
        return
    for rule, direction, (path, service), messages in disagreements:
        relative = os.path.relpath(path, corpus)
        print(f"\n[{rule}] {direction}: {relative} service {service}")
        for message in messages:
            print(f"    {message.splitlines()[0][:200]}")


if __name__ == "__main__":
    main()
