#!/usr/bin/env bash
# Measures sharded scans (scan --shard K/N + scangate merge) against the
# unsharded scan of one multi-module tree, in one run:
#   - unsharded: wall and CPU time
#   - N = 2 and 4: each shard alone (as one matrix job would run it): the
#     slowest shard's wall time, the total CPU of all shards, the merge's
#     wall time, and whether the merged SARIF and JSON results equal the
#     unsharded scan's
# Every scan runs every scanner that applies, offline, --no-cache, with the
# Go build cache warm (one warm-up scan first). Wall times are single runs.
#
# usage: bench/shard.sh [TREE]          (run from the repository root)
#   default TREE: eight real modules from the module proxy, each in its own
#   directory of one tree (a monorepo of Go modules), with their
#   dependencies downloaded, plus a requirements.txt.
# env:   DB    an imported scangate database, or
#        OSV   raw advisories to import into a temporary one (e.g. a checkout
#              of golang/vulndb's data/osv); one of the two is required.
#        KEEP=1 keeps the temporary directory.
set -euo pipefail

export GOTOOLCHAIN=local GOWORK=off
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
need_jq
need_db
bench_tmp

tree=${1:-}
if [[ -z $tree ]]; then
	tree=$tmp/tree
	mkdir -p "$tree"
	for mv in github.com/gin-gonic/gin@v1.7.7 github.com/labstack/echo/v4@v4.13.3 github.com/gorilla/websocket@v1.4.0 \
		github.com/go-chi/chi/v5@v5.2.3 github.com/spf13/cobra@v1.8.0 github.com/sirupsen/logrus@v1.9.0 \
		github.com/gofiber/fiber/v2@v2.52.6 github.com/prometheus/client_golang@v1.21.1; do
		dir=$(GOFLAGS=-mod=mod go mod download -json "$mv" | jq -r '.Dir // empty')
		[[ -d $dir ]] || { echo "bench: could not download $mv" >&2; exit 2; }
		dst=$tree/$(basename "${mv%@*}")
		[[ $dst == */v[0-9]* ]] && dst=$tree/$(basename "$(dirname "${mv%@*}")")
		cp -r "$dir" "$dst"
		chmod -R u+w "$dst"
		(cd "$dst" && GOFLAGS=-mod=mod go mod download >/dev/null 2>&1 || true)
	done
	cp "$repo/examples/project/requirements.txt" "$tree/requirements.txt"
fi

build_scangate "$tmp"
open_db "$tmp"
flags=(--offline --db "$db" -q --no-cache --allow-incomplete --fail-on none)

# run NAME CMD...: wall and CPU seconds (children included) to $tmp/NAME.time.
run() {
	local name=$1; shift
	local TIMEFORMAT='%R %U %S'
	{ time "$@" 2>"$tmp/$name.log" ; } 2>"$tmp/$name.time" || { echo "bench: $name failed:" >&2; tail -20 "$tmp/$name.log" >&2; exit 1; }
}
wall() { awk '{print $1}' "$tmp/$1.time"; }
cpu() { awk '{print $2 + $3}' "$tmp/$1.time"; }
results() { jq -S '[.runs[] | {tool: .tool.driver.name, results: .results}]' "$1"; }
findings() { jq -S '[.tools[] | {tool, state, findings: (.findings | sort_by(.fingerprint))}]' "$1"; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

echo "tree: $(find "$tree" -name go.mod -not -path '*/vendor/*' | wc -l) Go modules, $(find "$tree" -name '*.go' -not -name '*_test.go' -not -path '*/vendor/*' -print0 | xargs -0 cat | wc -l) lines of Go (tests excluded)" >&2
run warmup "$sg" scan "${flags[@]}" "$tree"
run full "$sg" scan "${flags[@]}" --sarif "$tmp/full.sarif" --json "$tmp/full.json" "$tree"
printf '%-10s %10s %10s %14s %10s %8s\n' run "wall s" "CPU s" "slowest/full" "merge s" equal
printf '%-10s %10.1f %10.1f %14s %10s %8s\n' unsharded "$(wall full)" "$(cpu full)" 1.00 - -
for n in 2 4; do
	slowest=0 total=0 files=()
	for k in $(seq 1 "$n"); do
		run "s$k-$n" "$sg" scan "${flags[@]}" --shard "$k/$n" --json "$tmp/s$k-$n.json" "$tree"
		slowest=$(echo "if ($(wall "s$k-$n") > $slowest) $(wall "s$k-$n") else $slowest" | bc -l)
		total=$(echo "$total + $(cpu "s$k-$n")" | bc -l)
		files+=("$tmp/s$k-$n.json")
	done
	run "merge-$n" "$sg" merge "${flags[@]}" --root "$tree" --sarif "$tmp/m$n.sarif" --json "$tmp/m$n.json" "${files[@]}"
	eq=no
	if diff <(results "$tmp/full.sarif") <(results "$tmp/m$n.sarif") >/dev/null &&
		diff <(findings "$tmp/full.json") <(findings "$tmp/m$n.json") >/dev/null; then eq=yes; fi
	printf '%-10s %10.1f %10.1f %14s %10.2f %8s\n' "$n shards" "$slowest" "$total" "$(ratio "$slowest" "$(wall full)")" "$(wall "merge-$n")" "$eq"
	for k in $(seq 1 "$n"); do
		echo "    shard $k/$n: $(wall "s$k-$n") s wall, $(cpu "s$k-$n") s CPU, units: $(jq -r '[.shard.units[] | .path] | join(" ")' "$tmp/s$k-$n.json")" >&2
	done
done
echo "findings: $(jq '[.tools[].findings | length] | add' "$tmp/full.json") ($(jq -r '[.tools[] | "\(.tool) \(.findings | length)"] | join(", ")' "$tmp/full.json"))" >&2
