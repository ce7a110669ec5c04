#!/usr/bin/env bash
# The TypeScript SDK's checks: its dev dependencies (npm ci, pinned in
# package-lock.json), then `npm test`: tsc, and node's test runner against
# the real binary, including the checks that src/generated/ is what the
# binary serves and that the web client's embedded copy is this build.
#
# Environment: CARGO_TARGET_DIR (where the debug binary is built; default
# ./target), FERROCHAT_BIN (use this binary, build nothing),
# SDK_TESTS_TIMEOUT (seconds for the whole run; default 600).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

npm ci --no-audit --no-fund --loglevel=error

if [ -z "${FERROCHAT_BIN:-}" ]; then
    # The debug build: the same one `cargo test` just made.
    (cd "$root" && cargo build -p ferrochat --locked)
fi

exec timeout --kill-after=30 "${SDK_TESTS_TIMEOUT:-600}" npm test
