#!/usr/bin/env bash
# `npm test`: setup, build, then every suite: native Rust tests, Rust tests in
# headless Chromium (wasm-bindgen-test), and end-to-end page tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
node scripts/build.mjs
node scripts/check-size.mjs

echo "== native tests (core, doctests)"
cargo test --quiet
echo "== native tests of the core build (no optional capability)"
cargo test --quiet --no-default-features

export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
# One browser suite at a time on this machine, whoever runs it.
exec 9>/tmp/footfall-browser.lock
flock 9

echo "== browser tests (wasm-bindgen-test in headless Chromium)"
cargo test --target wasm32-unknown-unknown --tests

echo "== end-to-end tests (playwright-core + Chromium against a local collector)"
node --test --test-concurrency=1 tests/e2e/
