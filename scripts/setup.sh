#!/usr/bin/env bash
# Installs what the build and the tests need, and only what is missing, so a
# second run costs well under a second. Non-interactive (CI has no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The three engines from Debian: Chromium and ChromeDriver (browser tests,
# e2e tests, benchmarks), Firefox ESR (driven over WebDriver BiDi, no
# geckodriver), WebKitGTK's WebDriver with its MiniBrowser, and the X server
# MiniBrowser needs (it has no headless mode).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
# On a fresh machine the downloads (apt, npm) run in the background while
# wasm-bindgen-cli compiles: together they are most of a first run.
pids=()
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from apt"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  ($sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) &
  pids+=($!)
fi

# npm packages from the lock file (binaryen's wasm-opt, esbuild, playwright-core).
stamp=node_modules/.footfall-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  (npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json "$stamp") &
  pids+=($!)
fi

# The bundlers and frameworks that tests/e2e/bundlers.test.mjs builds the
# packed package with (webpack, Rollup, Next.js + React, Vue; Vite and esbuild
# are the root's: tests/bundlers/.npmrc leaves peer dependencies out).
stamp=tests/bundlers/node_modules/.footfall-lock
if [ ! -f "$stamp" ] || ! cmp -s tests/bundlers/package-lock.json "$stamp"; then
  echo "setup: npm ci in tests/bundlers"
  (cd tests/bundlers && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.footfall-lock) &
  pids+=($!)
fi

# The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli at exactly the version in Cargo.lock (no --locked: it fails
# on this registry mirror).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want (had: ${have:-none})"
  cargo install wasm-bindgen-cli --version "=$want" --force
fi


# The background installs: each must have succeeded.
for pid in "${pids[@]}"; do
  wait "$pid" || { echo "setup: an install failed (see above)"; exit 1; }
done
