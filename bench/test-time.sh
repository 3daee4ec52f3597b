#!/usr/bin/env bash
# Issue 9's test time, side by side: `npm test` of a base tree (default
# e8d94a5, the tree issue 9 was filed on) against this checkout's, both the
# whole suite and the files that descend from the base's (its test files kept
# under the same name, the three it split, and issue 9's own new files), in
# the order base, same, whole, whole, same, base. Not part of npm test or
# npm run bench: it takes about 11 minutes on two cores.
#
#   bash bench/test-time.sh [BASE_REV]   (from the project root; ../shared beside the base's worktree too)
#
# Each line: label, exit code, wall seconds, user and system CPU seconds, load.
set -u
root=$(pwd)
base_rev=${1:-e8d94a5}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base_rev" >/dev/null
# the base's tests read ../shared from its root, as a clean clone does
[ -e "$work/shared" ] || ln -s "$(cd "$root/.." && pwd)/shared" "$work/shared"
(cd "$work/base" && npm ci --silent >/dev/null 2>&1) || { echo "npm ci failed in the base tree"; exit 1; }

# the base's test files, the split ones' successors, issue 9's own files
same=$(
  {
    git -C "$root" ls-tree --name-only "$base_rev" test/ | grep '\.test\.ts$' | while read -r f; do [ -f "$root/$f" ] && echo "$f"; done
    ls test/wire-ccm-*.test.ts test/wire-wusp-*.test.ts test/stub-bad-input-*.test.ts
    for f in golden core-purity cli-bin outputs run-plan topic-ids; do echo "test/$f.test.ts"; done
  } | sort -u
)
echo "files like the base's: $(echo "$same" | wc -l) (base: $(git -C "$root" ls-tree --name-only "$base_rev" test/ | grep -c '\.test\.ts$'))"

one() {
  local label=$1 dir=$2 cmd=$3 s e rc
  s=$(date +%s.%N)
  (cd "$dir" && CI=true /usr/bin/time -f "%U %S" -o "$work/time" bash -c "$cmd" >"$work/$label.log" 2>&1)
  rc=$?
  e=$(date +%s.%N)
  echo "$label rc=$rc wall=$(echo "$e - $s" | bc) cpu=$(cat "$work/time") load=$(cut -d' ' -f1 /proc/loadavg)"
}
# this checkout's npm test steps on the files given (npm test itself takes no file list)
steps='node build/transpile.mjs && (nice -n 10 npm run typecheck --silent & t=$!; npx vitest run '"$(echo $same)"'; v=$?; wait $t || exit 1; exit $v)'
one base "$work/base" 'npm test'
one same "$root" "$steps"
one whole "$root" 'npm test'
one whole "$root" 'npm test'
one same "$root" "$steps"
one base "$work/base" 'npm test'
