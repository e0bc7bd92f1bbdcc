#!/usr/bin/env bash
# The secrets scanner alone on a tree of about 100k lines: the go/ and cmd/
# directories of golang.org/x/tools@v0.48.0 from the module cache (testdata,
# which every walker skips, left out of the count). Wall and CPU time of
# `scangate scan --scanners secrets`, cold (--no-cache) and from a warm
# result cache, median of RUNS runs each.
#
# usage: bench/secrets.sh [DIR]      (run from the repository root)
# env:   RUNS (default 5), KEEP=1 keeps the temporary directory.
set -euo pipefail

RUNS=${RUNS:-5}
export GOTOOLCHAIN=local GOFLAGS=${GOFLAGS:--buildvcs=false}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_tmp
build_scangate "$tmp"

tree=${1:-}
if [[ -z $tree ]]; then
	src=$(go env GOMODCACHE)/golang.org/x/tools@v0.48.0
	[[ -d $src ]] || (cd "$tmp" && go mod download golang.org/x/tools@v0.48.0 >/dev/null)
	tree=$tmp/tree
	mkdir -p "$tree"
	cp -r "$src/go" "$src/cmd" "$tree/" && chmod -R u+w "$tree"
fi
files=$(find "$tree" -type f -not -path '*/testdata/*' | wc -l)
lines=$(find "$tree" -type f -not -path '*/testdata/*' -print0 | xargs -0 cat | wc -l)
echo "tree: $files files, $lines lines (testdata left out)" >&2

# run LABEL ARGS...: median wall and user+sys seconds of RUNS runs.
run() {
	local label=$1
	shift
	local walls=() cpus=()
	for _ in $(seq "$RUNS"); do
		local t0 t1
		t0=$(date +%s.%N)
		/usr/bin/time -f '%U %S' -o "$tmp/cpu" "$sg" scan -q --scanners secrets --fail-on none "$@" "$tree" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		walls+=("$(echo "$t1 - $t0" | bc)")
		cpus+=("$(awk '{print $1 + $2}' "$tmp/cpu")")
	done
	printf '%-28s wall %ss  cpu %ss (median of %d)\n' "$label" \
		"$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
		"$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" "$RUNS"
}
run "secrets, cold (--no-cache)" --no-cache
"$sg" scan -q --scanners secrets --fail-on none --cache-dir "$tmp/cache" "$tree" >/dev/null 2>&1 || true
run "secrets, warm result cache" --cache-dir "$tmp/cache"
