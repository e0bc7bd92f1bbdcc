#!/usr/bin/env bash
# Compares scangate's embedded gosec adapter with the standalone gosec v2.30.0
# binary on the same modules in the same run: wall time and peak RSS from
# /usr/bin/time -v (plus user+sys CPU time, which shared machines disturb less
# than wall time), median of RUNS runs each (after one warm-up run of each, so
# that both find the Go build cache warm), and the adapter/standalone ratios.
#
# usage: bench/gosec.sh [DIR...]      (run from the repository root)
#   default DIRs: testdata/gosec/fixture and a copy of golang.org/x/vuln@v1.9.0
#   from the module cache (the module cache must hold its dependencies).
# env:   RUNS (default 5), GOSEC (an existing gosec v2.30.0 binary to use),
#        KEEP=1 keeps the temporary directory.
set -euo pipefail

RUNS=${RUNS:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_init time

echo "building gosec v2.30.0 and gosecbench into $tmp" >&2
if [[ -n ${GOSEC:-} ]]; then
	cp "$GOSEC" "$tmp/gosec"
else
	GOBIN=$tmp go install github.com/securego/gosec/v2/cmd/gosec@v2.30.0
fi
go version -m "$tmp/gosec" | grep -q 'github.com/securego/gosec/v2[[:space:]]*v2.30.0' ||
	{ echo "bench: $tmp/gosec is not gosec v2.30.0" >&2; exit 2; }
(cd "$repo" && go build -o "$tmp/gosecbench" ./bench/cmd/gosecbench)

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	targets=("$repo/testdata/gosec/fixture")
	vuln=$(go env GOMODCACHE)/golang.org/x/vuln@v1.9.0
	if [[ -d $vuln ]]; then
		cp -r "$vuln" "$tmp/vuln" && chmod -R u+w "$tmp/vuln"
		targets+=("$tmp/vuln")
	else
		echo "bench: $vuln not in the module cache; benchmarking the fixture only" >&2
	fi
fi

# measure OUT CMD...: runs CMD in the current directory, appends "wall_s rss_kb cpu_s" to OUT.
measure() {
	local out=$1; shift
	/usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || {
		local rc=$?
		# gosec exits 1 when it finds issues; anything else is a failure.
		if [[ $rc -ne 1 ]]; then echo "bench: $* failed ($rc):" >&2; tail -5 "$tmp/stderr" >&2; exit 1; fi
	}
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
		/Maximum resident set size/ { rss = $2 }
		/User time \(seconds\)/ || /System time \(seconds\)/ { cpu += $2 }
		END { printf "%.3f %d %.2f\n", s, rss, cpu }' "$tmp/time.txt" >>"$out"
}


printf '\n%-12s %-8s %8s %8s %8s %10s %10s %10s %7s %5s %13s\n' target tool wall_s cpu_s rss_MB wall_ratio cpu_ratio rss_ratio issues runs 'wall_min/max'
for dir in "${targets[@]}"; do
	dir=$(cd "$dir" && pwd)
	name=$(basename "$dir")
	standalone=("$tmp/gosec" -quiet -fmt=json -out="$tmp/gosec.json" -exclude-generated -track-suppressions -no-fail ./...)
	adapter=("$tmp/gosecbench" -json .)
	: >"$tmp/s.txt"; : >"$tmp/a.txt"
	(cd "$dir" && measure /dev/null "${standalone[@]}" && measure /dev/null "${adapter[@]}") # warm-up
	for ((i = 0; i < RUNS; i++)); do
		# Alternate so that neither tool always runs on a cache the other just warmed.
		(cd "$dir" && measure "$tmp/s.txt" "${standalone[@]}")
		(cd "$dir" && measure "$tmp/a.txt" "${adapter[@]}")
	done
	s_issues=$(grep -c '"rule_id"' "$tmp/gosec.json" || true)
	(cd "$dir" && "$tmp/gosecbench" -json . >"$tmp/a.json" 2>/dev/null || true)
	a_issues=$(grep -c '"ruleId"' "$tmp/a.json" || true)
	sw=$(cut -d' ' -f1 "$tmp/s.txt" | median); sr=$(cut -d' ' -f2 "$tmp/s.txt" | median)
	aw=$(cut -d' ' -f1 "$tmp/a.txt" | median); ar=$(cut -d' ' -f2 "$tmp/a.txt" | median)
	sc=$(cut -d' ' -f3 "$tmp/s.txt" | median); ac=$(cut -d' ' -f3 "$tmp/a.txt" | median)
	srange=$(cut -d' ' -f1 "$tmp/s.txt" | sort -n | sed -n '1p;$p' | paste -sd/)
	arange=$(cut -d' ' -f1 "$tmp/a.txt" | sort -n | sed -n '1p;$p' | paste -sd/)
	awk -v n="$name" -v sw="$sw" -v sr="$sr" -v aw="$aw" -v ar="$ar" -v sc="$sc" -v ac="$ac" -v si="$s_issues" -v ai="$a_issues" \
		-v runs="$RUNS" -v srange="$srange" -v arange="$arange" 'BEGIN {
		printf "%-12s %-8s %8.2f %8.2f %8.1f %10s %10s %10s %7d %5d %13s\n", n, "gosec", sw, sc, sr / 1024, "1.00", "1.00", "1.00", si, runs, srange
		printf "%-12s %-8s %8.2f %8.2f %8.1f %10.2f %10.2f %10.2f %7d %5d %13s\n", n, "adapter", aw, ac, ar / 1024, aw / sw, ac / sc, ar / sr, ai, runs, arange
	}'
done
echo
echo "wall/cpu/rss: medians (rss: peak of the process and the go commands it waited for); ratio = adapter / standalone (below 1 means the adapter is cheaper)." >&2
echo "issues: standalone JSON issues vs adapter findings (the adapter drops G601 where a module's go directive makes it moot)." >&2
