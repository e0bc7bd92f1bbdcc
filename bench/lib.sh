# Sourced by the bench scripts: their temporary directory and the tools they need, the
# scangate under test and the database it scans with, timing and medians.

# bench_init [TOOL...]: the Go environment the benches run in (the local
# toolchain, no workspace, GOFLAGS -mod=readonly unless set), exit 2 unless
# each TOOL (jq, time: see need_jq) is there, then bench_tmp.
bench_init() {
	export GOTOOLCHAIN=local GOWORK=off GOFLAGS=${GOFLAGS:--mod=readonly}
	local t
	for t in "$@"; do "need_$t"; done
	bench_tmp
}

# bench_tmp: sets tmp to a new directory, removed at exit unless KEEP=1.
bench_tmp() {
	tmp=$(mktemp -d)
	if [[ ${KEEP:-} != 1 ]]; then trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT; else echo "keeping $tmp" >&2; fi
}

# need_jq, need_time: exit 2 when jq, or GNU time as /usr/bin/time, is missing.
need_jq() { command -v jq >/dev/null || { echo "bench: jq is required: apt-get install jq" >&2; exit 2; }; }
need_time() { [[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time (GNU time) is required: apt-get install time" >&2; exit 2; }; }

# need_db: exit 2 unless DB or OSV names the database (see open_db).
need_db() {
	if [[ -z ${DB:-} && -z ${OSV:-} ]]; then
		echo "bench: set DB (an imported database) or OSV (advisories to import)" >&2
		exit 2
	fi
}

# cli_source [DIR]: sets src to DIR, else to cli/cli v2.14.0 from the module
# proxy with its dependencies; DB or OSV must name the database.
cli_source() {
	src=$1
	if [[ -z $src ]]; then
		local info
		info=$(GOFLAGS=-mod=mod go mod download -json github.com/cli/cli/v2@v2.14.0 || true)
		src=$(jq -r '.Dir // empty' <<<"$info")
		[[ -d $src ]] || { echo "bench: could not download cli/cli v2.14.0: $(jq -r '.Error // empty' <<<"$info")" >&2; exit 2; }
		(cd "$src" && GOFLAGS=-mod=mod go mod download)
	fi
	need_db
}

# build_scangate DIR: builds scangate and its govulncheck companion into
# DIR/bin and sets sg to scangate.
build_scangate() {
	echo "building scangate into $1" >&2
	(cd "$repo" && go build -o "$1/bin/" ./cmd/scangate ./cmd/scangate-govulncheck)
	sg=$1/bin/scangate
}

# open_db DIR: sets db to $DB, or to $OSV imported into DIR/db.
open_db() {
	db=${DB:-}
	if [[ -z $db ]]; then
		db=$1/db
		echo "importing $OSV into $db" >&2
		"$sg" db import --db "$db" "$OSV" >/dev/null 2>&1
	fi
}

# timed_scan NAME DIR [FLAGS...]: one scan of DIR with every scanner that
# applies, offline; wall seconds to $tmp/NAME.wall, reports to
# $tmp/NAME.{sarif,json,log}. Exits on a failed scan.
timed_scan() {
	local name=$1 dir=$2; shift 2
	local t0 t1 rc=0
	t0=$(date +%s.%N)
	"$sg" scan --offline --db "$db" -q --allow-incomplete --fail-on none \
		--sarif "$tmp/$name.sarif" --json "$tmp/$name.json" "$@" "$dir" 2>"$tmp/$name.log" || rc=$?
	t1=$(date +%s.%N)
	if [[ $rc -ne 0 ]]; then echo "bench: scan $name failed ($rc):" >&2; tail -20 "$tmp/$name.log" >&2; exit 1; fi
	echo "$t1 - $t0" | bc -l >"$tmp/$name.wall"
	echo "  $name: $(printf '%.2f' "$(cat "$tmp/$name.wall")") s  $(grep -o 'from the result cache.*' "$tmp/$name.log" | tr '\n' ' ' || true)" >&2
}

# gosec_s NAME: gosec's part of scan NAME, in seconds (from the JSON report).
gosec_s() { jq -r '.tools[] | select(.tool == "gosec") | .durationMs / 1000' "$tmp/$1.json"; }
# results NAME: scan NAME's SARIF results by tool.
results() { jq -S '[.runs[] | {tool: .tool.driver.name, results: .results}]' "$tmp/$1.sarif"; }
same() {
	if diff <(results "$1") <(results "$2") >/dev/null; then echo identical; else echo DIFFERENT; fi
}
ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
wall() { cat "$tmp/$1.wall"; }

# leaf_package DIR: "import/path dir" of a package of the module in DIR
# that no package of the module imports.
leaf_package() {
	(cd "$1" && go list -f '{{.ImportPath}} {{.Dir}}{{range .Imports}} {{.}}{{end}}' ./... | awk '
	{ dir[$1] = $2; for (i = 3; i <= NF; i++) imported[$i] = 1; order[++n] = $1 }
	END { for (i = 1; i <= n; i++) if (!imported[order[i]]) { print order[i], dir[order[i]]; exit } }')
}

# measure OUT OKCODES NAME DIR: runs cmd_NAME on DIR, appends "wall_s cpu_s maxrss_kb treepss_kb treeanon_kb"
# to OUT and keeps its stdout in $tmp/NAME.out. OKCODES: the exit codes that mean success.
measure() {
	local out=$1 ok=$2 name=$3 dir=$4 rc=0 cmd tree
	"cmd_$name" "$dir"
	/usr/bin/time -v -o "$tmp/time.txt" "${cmd[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	local pid=$!
	"$tmp/bin/treerss" "$pid" >"$tmp/tree.txt"
	wait "$pid" || rc=$?
	if [[ " $ok " != *" $rc "* ]]; then
		echo "bench: $name on $dir failed (exit $rc):" >&2; tail -20 "$tmp/$name.err" >&2; exit 1
	fi
	tree=$(cat "$tmp/tree.txt")
	awk -F': ' -v tree="$tree" '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { rss = $2 }
		/User time \(seconds\)/ || /System time \(seconds\)/ { cpu += $2 }
		END { printf "%.2f %.2f %d %s\n", s, cpu, rss, tree }' "$tmp/time.txt" >>"$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { cut -d' ' -f"$2" "$1" | median; }
