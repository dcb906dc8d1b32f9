#!/usr/bin/env bash
# Runs the escalint hook of .pre-commit-hooks.yaml with pre-commit itself, as a user's repository
# would: pre-commit from the Python package index in a throw-away virtual environment, a scratch
# git repository with a flagged Dockerfile and a clean Compose file, and `pre-commit try-repo`
# against this checkout. The hook must fail with the diagnostic, then pass once the file is fixed.
#
# Skips (exit 0, "skipped: ...") only when the package index cannot be reached.
#
# pre-commit builds the hook with `cargo install --path .`, a release build. The build goes to
# target/pre-commit (or $ESCALINT_PRE_COMMIT_TARGET_DIR) so later runs reuse it, and without
# optimisation, which checks the same behaviour in a fraction of the time.
set -euo pipefail

checkout="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
    echo "test-pre-commit: $*" >&2
    exit 1
}

echo "test-pre-commit: installing pre-commit into a virtual environment"
python3 -m venv "$work/venv"
if ! "$work/venv/bin/python" -m pip install --disable-pip-version-check --timeout 30 \
    --retries 2 pre-commit >"$work/pip.log" 2>&1; then
    network_errors='NewConnectionError|ConnectTimeoutError|ReadTimeoutError|Max retries exceeded'
    network_errors+='|Temporary failure in name resolution|Name or service not known'
    network_errors+='|Network is unreachable|Connection refused|ProxyError'
    if grep -qE "$network_errors" "$work/pip.log"; then
        echo "skipped: the Python package index cannot be reached, so pre-commit cannot be installed"
        tail -n 3 "$work/pip.log"
        exit 0
    fi
    cat "$work/pip.log" >&2
    fail "pip could not install pre-commit"
fi
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version

export PRE_COMMIT_HOME="$work/pre-commit-home"
export CARGO_TARGET_DIR="${ESCALINT_PRE_COMMIT_TARGET_DIR:-$checkout/target/pre-commit}"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=false

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init --quiet
git config user.email "test@example.com"
git config user.name "test-pre-commit"
git config commit.gpgsign false

cat >Dockerfile <<'DOCKERFILE'
FROM alpine:3.20
RUN adduser -D -u 10001 app && chmod 4755 /bin/busybox
USER app
DOCKERFILE
cat >compose.yaml <<'COMPOSE'
services:
  app:
    build: .
    security_opt: ["no-new-privileges:true"]
    cap_drop: [ALL]
COMPOSE
echo "# scratch" >README.md
git add .

echo "test-pre-commit: running the hook on a flagged Dockerfile (builds the hook the first time)"
if "$pre_commit" try-repo "$checkout" escalint --all-files --verbose >"$work/flagged.log" 2>&1; then
    cat "$work/flagged.log"
    fail "the hook passed on a flagged Dockerfile"
fi
cat "$work/flagged.log"
grep -q 'error\[setuid-bit\]: `4755` makes `/bin/busybox` setuid root' "$work/flagged.log" ||
    fail "the hook's output lacks the setuid-bit diagnostic"
grep -q 'Dockerfile:2:' "$work/flagged.log" || fail "the hook's output lacks the location"
grep -qE 'escalint\.+Failed' "$work/flagged.log" || fail "pre-commit did not report the hook failed"

echo "test-pre-commit: running the hook once the Dockerfile is fixed"
sed -i 's/ && chmod 4755 \/bin\/busybox//' Dockerfile
git add Dockerfile
if ! "$pre_commit" try-repo "$checkout" escalint --all-files --verbose >"$work/fixed.log" 2>&1; then
    cat "$work/fixed.log"
    fail "the hook failed on the fixed Dockerfile"
fi
cat "$work/fixed.log"
grep -qE 'escalint\.+Passed' "$work/fixed.log" || fail "pre-commit did not report the hook passed"
grep -q 'no problems found in 2 files' "$work/fixed.log" ||
    fail "the hook did not lint both files (README.md must not be passed)"

echo "test-pre-commit: passed"
