#!/usr/bin/env bash
# Runs one fuzz target (fuzz/fuzz_targets/) with libFuzzer through cargo fuzz, seeded from the
# shared corpus and the fixtures at run time.
#
# usage: scripts/fuzz.sh TARGET [SECONDS] [-- LIBFUZZER OPTIONS...]
#   TARGET   dockerfile_parser, compose_loader or shell_commands
#   SECONDS  how long to run (default 600)
#
# Needs `cargo install cargo-fuzz`. cargo fuzz needs nightly compiler features; on a stable
# toolchain RUSTC_BOOTSTRAP=1 enables them for this build only. The seed corpus is copied into
# fuzz/corpus/TARGET (ignored by git); crashes land in fuzz/artifacts/TARGET. A crash becomes a
# regression input in fuzz/regressions/TARGET/, which tests/fuzz_regressions.rs replays.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [-- LIBFUZZER OPTIONS...]}
shift
seconds=600
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    seconds=$1
    shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi

shared=../shared/corpus
corpus=fuzz/corpus/$target
mkdir -p "$corpus"

# Copies files into the corpus under the hash of their contents, so equal names do not clash.
seed() {
    while IFS= read -r -d '' file; do
        hash=$(sha1sum "$file" | cut -c1-40)
        cp "$file" "$corpus/$hash"
    done
}

case "$target" in
    dockerfile_parser|shell_commands)
        if [ -d "$shared" ]; then
            find "$shared/dockerfiles" "$shared/parser-conformance/buildkit" -type f -print0 | seed
        fi
        find fixtures -type f -iname '*ockerfile*' -print0 | seed
        ;;
    compose_loader)
        if [ -d "$shared" ]; then
            find "$shared/compose" "$shared/parser-conformance/compose-go" -type f \
                \( -name '*.yml' -o -name '*.yaml' \) -print0 | seed
        fi
        find fixtures -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | seed
        ;;
    *)
        echo "unknown target $target: dockerfile_parser, compose_loader or shell_commands" >&2
        exit 2
        ;;
esac
echo "seeded $corpus with $(find "$corpus" -type f | wc -l) inputs" >&2

cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 "$@"
