#!/bin/bash
# Standalone govulncheck v1.9.0 against scangate's govulncheck adapter (child
# process), on examples/project and on a bigger real module (a copy of
# golang.org/x/vuln v1.9.0 from the module cache), offline, same database,
# same run. Wall time and peak RSS from /usr/bin/time -v; for the adapter
# that peak is the larger of parent and child (wait4 accounting), and the
# parent's own peak is printed too. Also: two symbol scans side by side
# against one after the other.
#
#   bash bench/vuln.sh [RUNS]        (from the repository root; RUNS default 3)
#
# Needs /usr/bin/time and the module proxy (or a warm module cache). Nothing
# is written to the repository.
set -euo pipefail
runs=${1:-3}
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly

GOBIN="$tmp/bin" GOFLAGS= go install golang.org/x/vuln/cmd/govulncheck@v1.9.0
go build -o "$tmp/bin/vulnadapter" ./bench/vulnadapter

# Example database: the example advisories.
mkdir -p "$tmp/exdb/govulncheck"
cp examples/vulndb/GO-*.json "$tmp/exdb/govulncheck/"

# Bigger module: x/vuln itself, with two synthetic advisories (written here,
# not real) on symbols it calls, so that the call graph is built and walked.
GOFLAGS= go mod download golang.org/x/vuln@v1.9.0
src=$(GOFLAGS= go list -m -f '{{.Dir}}' golang.org/x/vuln@v1.9.0 2>/dev/null || true)
[ -n "$src" ] || src=$(go env GOMODCACHE)/golang.org/x/vuln@v1.9.0
mkdir -p "$tmp/big"
cp -r "$src"/. "$tmp/big/xvuln"
chmod -R u+w "$tmp/big"
(cd "$tmp/big/xvuln" && GOFLAGS= go mod download)
mkdir -p "$tmp/bigdb/govulncheck"
synthetic() { # id module package symbol
	cat >"$tmp/bigdb/govulncheck/$1.json" <<JSON
{"schema_version":"1.3.1","id":"$1","modified":"2026-01-01T00:00:00Z","summary":"BENCHMARK FIXTURE, not a real advisory",
 "details":"synthetic","affected":[{"package":{"name":"$2","ecosystem":"Go"},
 "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"99.0.0"}]}],
 "ecosystem_specific":{"imports":[{"path":"$3","symbols":["$4"]}]}}]}
JSON
}
synthetic GO-0000-0001 golang.org/x/tools golang.org/x/tools/go/packages Load
synthetic GO-0000-0002 golang.org/x/sync golang.org/x/sync/errgroup Group.Go

measure() { # label command...
	local label=$1; shift
	local out="$tmp/time.txt"
	/usr/bin/time -v "$@" >"$tmp/stdout.txt" 2>"$out" || { cat "$out" >&2; return 1; }
	local wall rss cpu parent
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$out")
	rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$out")
	# user+sys includes the waited-for child: a fairer figure than wall
	# time on a loaded machine.
	cpu=$(awk -F': ' '/User time|System time/{s+=$2} END{printf "%.1f", s}' "$out")
	parent=$(awk -F': ' '/parent peak RSS/{print $2}' "$out")
	printf '%-30s wall %8s  cpu %6ss  peak RSS %5d MiB%s\n' "$label" "$wall" "$cpu" $((rss / 1024)) \
		"${parent:+  (parent alone ${parent})}"
}

# Warm the build and module caches once, untimed.
"$tmp/bin/govulncheck" -C examples/project -db "file://$tmp/exdb/govulncheck" -format json ./... >/dev/null
"$tmp/bin/govulncheck" -C "$tmp/big/xvuln" -db "file://$tmp/bigdb/govulncheck" -format json ./... >/dev/null

for i in $(seq "$runs"); do
	echo "== run $i"
	measure "standalone  examples/project" "$tmp/bin/govulncheck" -C examples/project -db "file://$tmp/exdb/govulncheck" -format json ./...
	measure "adapter     examples/project" "$tmp/bin/vulnadapter" -db "$tmp/exdb" examples/project
	measure "standalone  x/vuln v1.9.0" "$tmp/bin/govulncheck" -C "$tmp/big/xvuln" -db "file://$tmp/bigdb/govulncheck" -format json ./...
	measure "adapter     x/vuln v1.9.0" "$tmp/bin/vulnadapter" -db "$tmp/bigdb" "$tmp/big/xvuln"
done

echo "== two x/vuln symbol scans: one after the other, then side by side"
seq_start=$(date +%s.%N)
measure "sequential #1" "$tmp/bin/govulncheck" -C "$tmp/big/xvuln" -db "file://$tmp/bigdb/govulncheck" -format json ./...
measure "sequential #2" "$tmp/bin/govulncheck" -C "$tmp/big/xvuln" -db "file://$tmp/bigdb/govulncheck" -format json ./...
seq_end=$(date +%s.%N)
par_start=$(date +%s.%N)
for j in 1 2; do
	/usr/bin/time -v "$tmp/bin/govulncheck" -C "$tmp/big/xvuln" -db "file://$tmp/bigdb/govulncheck" -format json ./... >/dev/null 2>"$tmp/par$j.txt" &
done
wait
par_end=$(date +%s.%N)
par_rss=$(awk -F': ' '/Maximum resident set size/{s+=$2} END{print int(s/1024)}' "$tmp"/par?.txt)
printf 'sequential total wall %.2fs; side by side wall %.2fs, summed peak RSS %d MiB\n' \
	"$(echo "$seq_end - $seq_start" | bc)" "$(echo "$par_end - $par_start" | bc)" "$par_rss"
