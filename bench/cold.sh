#!/usr/bin/env bash
# A cold scan (no result cache; the Go build and module caches warm, as for
# the standalone tool) with every scanner that applies, against standalone
# govulncheck v1.9.0 alone on the same tree, offline, same database, same
# run. Issue #25's targets: scangate's wall <= 1.1x govulncheck's, its peak
# memory (treePSS, summed over the process tree: bench/cmd/treerss) <= 1.0x.
# Also secrets alone, and the scan without secrets (issue #27: the secrets
# scanner adds at most 10%).
#
#   DB=<imported database> bash bench/cold.sh [DIR]   (default: cli/cli v2.14.0)
#   env: RUNS (default 3), KEEP=1 keeps the temp dir
#
# Rounds alternate which side goes first; the tables show medians. Needs
# /usr/bin/time, jq and the module proxy or a warm module cache.
set -euo pipefail

RUNS=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_init time jq
cli_source "${1:-}"

build_scangate "$tmp"
GOBIN=$tmp/bin GOFLAGS= go install golang.org/x/vuln/cmd/govulncheck@v1.9.0
(cd "$repo" && go build -o "$tmp/bin/treerss" ./bench/cmd/treerss)
open_db "$tmp"

cmd_gv() { cmd=("$tmp/bin/govulncheck" -db "file://$db/govulncheck" -C "$1" -format json ./...); }
cmd_all() { cmd=("$sg" scan --offline --db "$db" --no-cache -q --fail-on none --json "$tmp/all.json" "$1"); }
cmd_nosecrets() { cmd=("$sg" scan --offline --db "$db" --no-cache -q --fail-on none --scanners gosec,govulncheck,osv-scanner,bandit,safety "$1"); }
cmd_secrets() { cmd=("$sg" scan --offline --db "$db" --no-cache -q --fail-on none --scanners secrets "$1"); }

for ((r = 1; r <= RUNS; r++)); do
	echo "bench: round $r/$RUNS" >&2
	if ((r % 2)); then order=(gv all nosecrets secrets); else order=(secrets nosecrets all gv); fi
	for n in "${order[@]}"; do measure "$tmp/$n.txt" "0" "$n" "$src"; done
done

printf '%-38s %8s %8s %10s %10s\n' "median of $RUNS" wall_s cpu_s maxRSS_MiB treePSS_MiB
for n in gv all nosecrets secrets; do
	printf '%-38s %8s %8s %10.0f %10.0f\n' "$n" "$(col "$tmp/$n.txt" 1)" "$(col "$tmp/$n.txt" 2)" \
		"$(echo "$(col "$tmp/$n.txt" 3) / 1024" | bc -l)" "$(echo "$(col "$tmp/$n.txt" 4) / 1024" | bc -l)"
done
echo "scangate (every scanner) / govulncheck: wall $(ratio "$(col "$tmp/all.txt" 1)" "$(col "$tmp/gv.txt" 1)")," \
	"treePSS $(ratio "$(col "$tmp/all.txt" 4)" "$(col "$tmp/gv.txt" 4)")"
echo "with secrets / without: wall $(ratio "$(col "$tmp/all.txt" 1)" "$(col "$tmp/nosecrets.txt" 1)")"
