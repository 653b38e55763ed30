#!/usr/bin/env bash
# Builds footfall as it was at a commit (default: the last one before the
# builds per option set, when every page loaded one build) into
# bench/.build/footfall-before/, so that `npm run bench` measures it beside
# today's builds in the same run. Usage: bash bench/build-before.sh [commit]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
commit="${1:-7fcdcbc}"
work="$(mktemp -d)"
cd "$root"
git worktree add --detach "$work" "$commit" >/dev/null
trap 'cd "$root" && git worktree remove --force "$work"' EXIT
ln -s "$root/node_modules" "$work/node_modules"
mkdir -p "$root/target/before"
ln -s "$root/target/before" "$work/target" # its own cargo cache, kept between runs
(cd "$work" && node scripts/build.mjs)
out="$root/bench/.build/footfall-before"
rm -rf "$out"
mkdir -p "$out"
cp "$work"/dist/* "$out/"
git rev-parse --short "$commit" > "$out/COMMIT"
echo "bench: footfall at $(cat "$out/COMMIT") built into bench/.build/footfall-before/"
