#!/usr/bin/env bash
# Dependency scanning: `scangate scan --scanners govulncheck,osv-scanner`
# against the two standalone tools run one after the other (govulncheck
# v1.9.0, then osv-scanner v2.5.0 in its default mode, which runs its own
# govulncheck call analysis on every go.mod), offline, same database, same
# run. Targets: examples/project and a copy of golang.org/x/vuln v1.9.0 with
# synthetic advisories (BENCHMARK FIXTURES written into the temp dir, never
# real advisories) on symbols it calls, imports or only requires, so that the
# call graph is built and walked.
#
#   bash bench/deps.sh [DIR...]        (from the repository root)
#   env: RUNS (default 3), KEEP=1 keeps the temp dir
#
# Each process runs under /usr/bin/time -v: wall time, user+sys CPU (includes
# waited-for children, so scangate's govulncheck child and every `go list`),
# and "max RSS", which Linux reports as the peak of the single largest process
# in the tree (max, not sum, over children). bench/cmd/treerss samples the sum
# of PSS over the process tree every 50 ms ("treePSS"): what matters when
# scangate's parent and its govulncheck child are alive at the same time (PSS,
# not RSS, so that pages two processes share count once), and the sum of
# anonymous memory ("treeAnon": heap and stacks, without the clean pages of
# the binaries, which the kernel can drop and read again).
# "sequence" = govulncheck + osv-scanner of the same round (wall and CPU
# summed, RSS the larger one). Rounds alternate which side goes first; tables
# show medians. Targets (issue 4): scangate wall <= 0.6x sequence, scangate
# peak RSS <= 1.1x standalone govulncheck.
#
# Needs /usr/bin/time (apt-get install time), jq, and the module proxy or a
# warm module cache. Nothing is written to the repository.
set -euo pipefail

RUNS=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_init time jq
cd "$repo"

log() { echo "bench: $*" >&2; }

log "building govulncheck v1.9.0, osv-scanner v2.5.0, scangate and treerss into $tmp/bin"
GOBIN=$tmp/bin GOFLAGS= go install golang.org/x/vuln/cmd/govulncheck@v1.9.0
GOBIN=$tmp/bin GOFLAGS= go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0
go build -o "$tmp/bin/" ./cmd/scangate ./cmd/scangate-govulncheck
go build -o "$tmp/bin/treerss" ./bench/cmd/treerss
go version -m "$tmp/bin/govulncheck" | grep -q 'mod[[:space:]]*golang.org/x/vuln[[:space:]]*v1.9.0' ||
	{ log "$tmp/bin/govulncheck is not v1.9.0"; exit 2; }
go version -m "$tmp/bin/osv-scanner" | grep -q 'mod[[:space:]]*github.com/google/osv-scanner/v2[[:space:]]*v2.5.0' ||
	{ log "$tmp/bin/osv-scanner is not v2.5.0"; exit 2; }

# Advisories: the example database plus the synthetic fixtures below.
adv=$tmp/advisories
mkdir -p "$adv"
cp examples/vulndb/*.json "$adv/"
fixture() { # id module package symbol
	cat >"$adv/$1.json" <<JSON
{"schema_version":"1.3.1","id":"$1","modified":"2026-01-01T00:00:00Z",
 "summary":"BENCHMARK FIXTURE, not a real advisory","details":"Synthetic advisory written by bench/deps.sh to exercise call analysis.",
 "affected":[{"package":{"name":"$2","ecosystem":"Go"},
  "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"99.0.0"}]}],
  "ecosystem_specific":{"imports":[{"path":"$3","symbols":["$4"]}]}}]}
JSON
}
fixture GO-0000-0001 golang.org/x/tools golang.org/x/tools/go/packages Load           # called
fixture GO-0000-0002 golang.org/x/sync golang.org/x/sync/errgroup Group.Go            # called
fixture GO-0000-0003 golang.org/x/mod golang.org/x/mod/semver BenchmarkFixtureUncalled # imported
fixture GO-0000-0004 github.com/google/renameio github.com/google/renameio WriteFile   # required only
db=$tmp/db
"$tmp/bin/scangate" db import "$adv" --db "$db" >&2

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	targets=("$repo/examples/project")
	GOFLAGS= go mod download golang.org/x/vuln@v1.9.0
	src=$(go env GOMODCACHE)/golang.org/x/vuln@v1.9.0
	mkdir -p "$tmp/big"
	cp -r "$src" "$tmp/big/xvuln" && chmod -R u+w "$tmp/big/xvuln"
	(cd "$tmp/big/xvuln" && GOFLAGS= go mod download)
	targets+=("$tmp/big/xvuln")
fi

# cmd_NAME DIR sets cmd to the command line of one tool on DIR.
cmd_gv() { cmd=("$tmp/bin/govulncheck" -db "file://$db/govulncheck" -C "$1" -format json ./...); }
cmd_osv() { cmd=("$tmp/bin/osv-scanner" scan source -r --offline --local-db-path "$db/osv-scanner" --format json "$1"); }
cmd_sg() { cmd=("$tmp/bin/scangate" scan --scanners govulncheck,osv-scanner --offline --db "$db" -q --json "$tmp/sg.json" "$1"); }

# Finding counts, each as "advisories/called".
gv_count() { # distinct OSV IDs with a finding / with a finding whose trace starts in a function
	jq -rs '[.[] | .finding? | select(.)] as $f
		| "\($f | map(.osv) | unique | length)/\($f | map(select(.trace[0].function != null) | .osv) | unique | length)"' "$1"
}
osv_count() { # vulnerability groups / groups osv-scanner's own call analysis marked called
	jq -r '[.results[]?.packages[]?.groups[]?] as $g
		| "\($g | length)/\($g | map(select([.experimental_analysis // {} | .[] | .called] | any)) | length)"' "$1"
}
sg_count() { # findings / reachability called / reported by both tools
	jq -r '[.tools[].findings[]?] as $f
		| "\($f | length)/\($f | map(select(.reachability == "called")) | length) both=\($f | map(select((.tools // []) | length > 1)) | length)"' "$1"
}

sequence() {
	measure "$tmp/gv.txt" "0" gv "$1"
	measure "$tmp/osv.txt" "0 1" osv "$1"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

results=()
for dir in "${targets[@]}"; do
	dir=$(cd "$dir" && pwd)
	name=$(basename "$dir")
	log "$name: warm-up (untimed), load average $(loadavg)"
	for t in gv osv sg; do measure /dev/null "0 1" "$t" "$dir"; done
	: >"$tmp/gv.txt"; : >"$tmp/osv.txt"; : >"$tmp/sg.txt"; : >"$tmp/seq.txt"; : >"$tmp/load.txt"
	for ((i = 1; i <= RUNS; i++)); do
		loadavg >>"$tmp/load.txt"
		# govulncheck JSON exits 0 with findings; osv-scanner 1 and scangate's gate 1 mean findings.
		if ((i % 2)); then sequence "$dir"; measure "$tmp/sg.txt" "0 1" sg "$dir"
		else measure "$tmp/sg.txt" "0 1" sg "$dir"; sequence "$dir"; fi
		paste -d' ' <(tail -1 "$tmp/gv.txt") <(tail -1 "$tmp/osv.txt") |
			awk '{ printf "%.2f %.2f %d %d %d\n", $1 + $6, $2 + $7, ($3 > $8 ? $3 : $8), ($4 > $9 ? $4 : $9), ($5 > $10 ? $5 : $10) }' >>"$tmp/seq.txt"
		log "$name round $i/$RUNS: gv $(tail -1 "$tmp/gv.txt") | osv $(tail -1 "$tmp/osv.txt") | scangate $(tail -1 "$tmp/sg.txt") (wall s, cpu s, maxRSS treePSS treeAnon KiB), load $(tail -1 "$tmp/load.txt")"
	done
	gvn=$(gv_count "$tmp/gv.out"); osvn=$(osv_count "$tmp/osv.out"); sgn=$(sg_count "$tmp/sg.json")
	# osv-scanner drops matching without failing when a database zip is missing.
	grep -q 'Loaded Go local db' "$tmp/osv.err" ||
		log "WARNING: osv-scanner did not load $db/osv-scanner/osv-scalibr/Go/all.zip: $(grep -m1 -i error "$tmp/osv.err" || true)"
	[[ ${gvn#*/} == 0 || ${osvn#*/} != 0 ]] ||
		log "WARNING: govulncheck found called advisories but osv-scanner's own call analysis marked none called"
	sgt=$(jq -r '[.tools[] | "\(.tool)=\(.durationMs / 1000)s"] | join(" ")' "$tmp/sg.json")
	row() { # tool file findings
		printf '%-12s %-14s %7.2f %7.2f %8.0f %8.0f %8.0f  %s\n' "$name" "$1" "$(col "$2" 1)" "$(col "$2" 2)" \
			"$(col "$2" 3 | awk '{ print $1 / 1024 }')" "$(col "$2" 4 | awk '{ print $1 / 1024 }')" \
			"$(col "$2" 5 | awk '{ print $1 / 1024 }')" "$3"
	}
	table=$(
		row govulncheck "$tmp/gv.txt" "$gvn (advisories/called)"
		row osv-scanner "$tmp/osv.txt" "$osvn (groups/called)"
		row sequence "$tmp/seq.txt" ""
		row scangate "$tmp/sg.txt" "$sgn (findings/called; scangate's own timing: $sgt)"
		awk -v n="$name" -v sw="$(col "$tmp/sg.txt" 1)" -v qw="$(col "$tmp/seq.txt" 1)" \
			-v sc="$(col "$tmp/sg.txt" 2)" -v qc="$(col "$tmp/seq.txt" 2)" \
			-v sr="$(col "$tmp/sg.txt" 3)" -v gr="$(col "$tmp/gv.txt" 3)" \
			-v st="$(col "$tmp/sg.txt" 4)" -v gt="$(col "$tmp/gv.txt" 4)" \
			-v sa="$(col "$tmp/sg.txt" 5)" -v ga="$(col "$tmp/gv.txt" 5)" 'BEGIN {
			printf "%-12s ratios: wall scangate/sequence %.2f (target <= 0.60, %s); cpu %.2f\n", n, sw / qw, (sw / qw <= 0.6 ? "met" : "NOT met"), sc / qc
			printf "%-12s peak memory scangate/govulncheck (target <= 1.10): maxRSS %.2f (%s), treePSS %.2f (%s), treeAnon %.2f (%s)\n", n,
				sr / gr, (sr / gr <= 1.1 ? "met" : "NOT met"), st / gt, (st / gt <= 1.1 ? "met" : "NOT met"), sa / ga, (sa / ga <= 1.1 ? "met" : "NOT met")
		}'
		echo "$name load average per round (1/5/15 min): $(paste -sd';' "$tmp/load.txt")"
	)
	results+=("$table")
done

printf '\n%-12s %-14s %7s %7s %8s %8s %8s  %s\n' target tool wall_s cpu_s maxRSS_M treePSS_M treeAnon_M findings
printf '%s\n' "${results[@]}"
cat <<'EOF'

wall/cpu/RSS are medians over the rounds; cpu = user+sys including waited-for children; maxRSS = /usr/bin/time's
peak of the largest single process; treePSS and treeAnon = sampled peaks of the PSS and of the anonymous memory summed
over the process tree (MiB). sequence = govulncheck + osv-scanner of the same round. Findings come from the last round.
EOF
