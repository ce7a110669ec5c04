#!/usr/bin/env bash
# Browser tests of the web client: real ferrochat processes (one per test
# file, on a temporary data dir) driven through Debian's Chromium, headless,
# by playwright-core under node's own test runner.
#
# Environment: CARGO_TARGET_DIR (where the debug binary is built; default
# ./target), FERROCHAT_BIN (use this binary, build nothing), CHROMIUM (the
# browser; default /usr/bin/chromium), BROWSER_TESTS_TIMEOUT (seconds for
# the whole run; default 900), UPDATE_SCREENSHOTS=1 (write the screenshots
# to docs/screenshots instead of tests/browser/screenshots).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's chromium"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

npm ci --no-audit --no-fund --loglevel=error
# The OpenID provider the OIDC login spec runs (oidc.test.mjs).
(cd ../oidc && npm ci --no-audit --no-fund --loglevel=error)

if [ -z "${FERROCHAT_BIN:-}" ]; then
    # The debug build: the same one `cargo test` just made.
    (cd "$root" && cargo build -p ferrochat --locked)
fi

exec timeout --kill-after=30 "${BROWSER_TESTS_TIMEOUT:-900}" \
    node --test --test-concurrency=1 --test-timeout=240000 specs/
