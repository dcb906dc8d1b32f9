#!/usr/bin/env python3
"""Times escalint, hadolint and compose-lint on the same inputs; called by scripts/bench.sh.

Every case runs each of its tools once untimed (to warm the file cache), then `runs` times in
alternation (escalint, other, escalint, other, ...), so a change in machine load hits both
tools alike. Each run is one process started from here: its wall time includes process start.
Peak memory comes from one more run of each tool under GNU time (`/usr/bin/time -f %M`): a
process forked from this Python process counts Python's own pages in its peak until it execs,
so wait4 cannot tell a small peak. The table shows medians; the raw timings go to
timings.json in the work folder.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

SMALL_DOCKERFILE = """\
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \\
    && rm -rf /var/lib/apt/lists/*
COPY --chown=app:app app /opt/app
RUN chmod 4755 /opt/app/helper
USER app
CMD ["/opt/app/run"]
"""

SMALL_COMPOSE = """\
services:
  web:
    image: example/web:1.4
    user: "10001:10001"
    ports: ["8080:8080"]
    cap_drop: [ALL]
    security_opt: [no-new-privileges:true]
  worker:
    image: example/worker:1.4
    privileged: true
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--escalint", required=True)
    parser.add_argument("--hadolint", required=True)
    parser.add_argument("--compose-lint", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small-runs", type=int, default=20)
    parser.add_argument("--large-runs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds after which a run is stopped and counted as timed out")
    args = parser.parse_args()

    dockerfiles = files_under(os.path.join(args.corpus, "dockerfiles"))
    composes = files_under(os.path.join(args.corpus, "compose"))
    inputs = write_inputs(args.work)

    def escalint(files):
        return [args.escalint, "check", "--quiet", "--format", "json", *files]

    def hadolint(files):
        return [args.hadolint, "--no-fail", "--format", "json", *files]

    def compose_lint(files):
        # Each file on its own, as escalint reads a named file; compose-lint would otherwise
        # merge the override files it finds beside them.
        return [args.compose_lint, "check", "--format", "json", "--no-merge-overrides",
                "--allow-partial-coverage", *files]

    cases = [
        (f"Dockerfile corpus ({len(dockerfiles)} files)", "hadolint", dockerfiles,
         escalint, hadolint, args.runs),
        (f"Compose corpus ({len(composes)} files)", "compose-lint", composes,
         escalint, compose_lint, args.runs),
        (f"both corpora ({len(dockerfiles) + len(composes)} files, one run)", None,
         dockerfiles + composes, escalint, None, args.runs),
        ("one small Dockerfile", "hadolint", [inputs["small_dockerfile"]],
         escalint, hadolint, args.small_runs),
        ("one small Compose file", "compose-lint", [inputs["small_compose"]],
         escalint, compose_lint, args.small_runs),
        ("5 MB Dockerfile, long continued RUNs", "hadolint", [inputs["large_dockerfile"]],
         escalint, hadolint, args.large_runs),
        ("Compose file with 2,000 services", "compose-lint", [inputs["large_compose"]],
         escalint, compose_lint, args.large_runs),
    ]

    print(machine_line(), file=sys.stderr)
    rows = []
    raw = {}
    for name, other_name, files, ours, theirs, runs in cases:
        commands = {"escalint": ours(files)}
        if theirs is not None:
            commands[other_name] = theirs(files)
        print(f"timing: {name} ({runs} runs each)", file=sys.stderr)
        # The corpora are read cold the first time; the generated files were just written.
        warm_up = len(files) > 1
        timings = time_alternating(commands, runs, args.work, args.timeout, warm_up)
        for tool, command in commands.items():
            if not timings[tool]["timed_out"]:
                timings[tool]["peak_kib"] = [peak_memory(command, args.work, args.timeout)]
        raw[name] = timings
        rows.append((name, other_name, timings))

    with open(os.path.join(args.work, "timings.json"), "w", encoding="utf-8") as out:
        json.dump({"machine": machine_line(), "timings": raw}, out, indent=2)

    print()
    print(machine_line())
    print()
    print("| Input | escalint | peak | other tool | other | peak | escalint/other | speed-up |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for name, other_name, timings in rows:
        ours = timings["escalint"]
        ours_time = statistics.median(ours["wall"])
        ours_peak = max(ours["peak_kib"])
        if other_name is None:
            print(f"| {name} | {seconds(ours_time)} | {mib(ours_peak)} | | | | | |")
            continue
        theirs = timings[other_name]
        theirs_time = statistics.median(theirs["wall"])
        theirs_peak = max(theirs["peak_kib"])
        # A run stopped at the timeout gives a lower bound on the other tool's time.
        bound = "> " if theirs["timed_out"] else ""
        ratio = ours_time / theirs_time
        print(f"| {name} | {seconds(ours_time)} | {mib(ours_peak)} | {other_name} "
              f"| {bound}{seconds(theirs_time)} | {bound}{mib(theirs_peak)} "
              f"| {'< ' if bound else ''}{ratio:.4f} | {bound}{theirs_time / ours_time:.0f}x |")
    print()
    print("Spread (min-max wall time of the timed runs):")
    for name, _, timings in rows:
        spread = ", ".join(
            f"{tool} {seconds(min(t['wall']))}-{seconds(max(t['wall']))}"
            for tool, t in timings.items()
        )
        print(f"- {name}: {spread}")
    statuses = {
        (name, tool): sorted(set(t["exit"]))
        for name, _, timings in rows
        for tool, t in timings.items()
    }
    print()
    print("Exit codes: " + "; ".join(
        f"{tool} on {name}: {codes}" for (name, tool), codes in statuses.items()
    ))


def files_under(folder):
    found = []
    for parent, _, names in os.walk(folder):
        for name in names:
            found.append(os.path.join(parent, name))
    return sorted(found)


def write_inputs(work):
    inputs = {}
    small = os.path.join(work, "small")
    os.makedirs(small, exist_ok=True)
    inputs["small_dockerfile"] = write(os.path.join(small, "Dockerfile"), SMALL_DOCKERFILE)
    inputs["small_compose"] = write(os.path.join(small, "compose.yaml"), SMALL_COMPOSE)

    large = os.path.join(work, "large")
    os.makedirs(large, exist_ok=True)
    inputs["large_dockerfile"] = write(os.path.join(large, "Dockerfile"), large_dockerfile())
    inputs["large_compose"] = write(os.path.join(large, "compose.yaml"), large_compose())
    return inputs


def large_dockerfile():
    """About 5 MB: RUN steps of 2,000 continuation lines each, every line different."""
    parts = ["FROM debian:bookworm\n"]
    size = len(parts[0])
    step = 0
    while size < 5_000_000:
        lines = [f"RUN set -eux; \\\n"]
        for line in range(2_000):
            lines.append(
                f"    mkdir -p /opt/s{step}/d{line} && echo 'a \\\\ b {line}' > "
                f"/opt/s{step}/d{line}/f && chmod 0755 /opt/s{step}/d{line}/f; \\\n"
            )
        lines.append("    true\n")
        text = "".join(lines)
        parts.append(text)
        size += len(text)
        step += 1
    parts.append("USER nobody\n")
    return "".join(parts)


def large_compose():
    """One project with 2,000 services, each with the keys real services use."""
    lines = ["services:\n"]
    for index in range(2_000):
        lines.append(
            f"  service-{index}:\n"
            f"    image: example/app-{index % 50}:1.{index % 10}\n"
            f"    user: \"{10000 + index}:{10000 + index}\"\n"
            f"    environment:\n"
            f"      SERVICE_INDEX: \"{index}\"\n"
            f"      LOG_LEVEL: info\n"
            f"    ports: [\"{20000 + index}:8080\"]\n"
            f"    volumes:\n"
            f"      - data-{index}:/var/lib/app\n"
            f"    cap_drop: [ALL]\n"
            f"    security_opt: [no-new-privileges:true]\n"
        )
    lines.append("volumes:\n")
    for index in range(2_000):
        lines.append(f"  data-{index}: {{}}\n")
    return "".join(lines)


def write(path, text):
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def time_alternating(commands, runs, cwd, timeout, warm_up):
    timings = {
        tool: {"wall": [], "peak_kib": [], "exit": [], "timed_out": False} for tool in commands
    }
    # One untimed run each warms the file cache; a tool that times out there is timed once.
    for tool, command in commands.items():
        if not warm_up:
            break
        wall, peak, status = run_once(command, cwd, timeout)
        if status == "timeout":
            timings[tool].update(wall=[wall], peak_kib=[peak], exit=[status], timed_out=True)
    for _ in range(runs):
        for tool, command in commands.items():
            if timings[tool]["timed_out"]:
                continue
            wall, peak, status = run_once(command, cwd, timeout)
            timings[tool]["wall"].append(wall)
            timings[tool]["peak_kib"].append(peak)
            timings[tool]["exit"].append(status)
    return timings


def peak_memory(command, cwd, timeout):
    """The peak resident set size (KiB) of one run, measured by GNU time."""
    gnu_time = "/usr/bin/time"
    if not os.path.exists(gnu_time):
        return run_once(command, cwd, timeout)[1]
    report = os.path.join(cwd, "peak.txt")
    run_once([gnu_time, "-f", "%M", "-o", report, *command], cwd, timeout)
    with open(report, encoding="utf-8") as lines:
        return int(lines.read().split()[-1])


def run_once(command, cwd, timeout):
    """Wall time, peak resident memory (KiB) and exit status of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    killer.cancel()
    if wall > timeout:
        return wall, usage.ru_maxrss, "timeout"
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, process.returncode


def machine_line():
    cores = os.cpu_count()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"Machine: {platform.system()} {platform.machine()}, {cores} cores ({model}); "
            f"load average at the end: {load}")


def seconds(value):
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def mib(kib):
    return f"{kib / 1024:.1f} MB"


if __name__ == "__main__":
    main()
