#!/usr/bin/env bash
# Measures the result cache on one real module, as ratios taken in one run:
#   1. cold scan with an empty cache vs cold scans with --no-cache  (target <= 1.05),
#      one before and one after it
#   2. unchanged rescan vs the cold scan with the cache             (target <= 0.05),
#      and the two scans' SARIF results must be identical
#   3. after a one-file change in a leaf package (no package of the module
#      imports it), gosec's part vs gosec's part of the cold scan   (target <= 0.15),
#      and the SARIF results must equal those of an uncached scan of the changed tree
# Every scan runs every scanner that applies, offline, with the Go build cache
# warm (one warm-up scan first). Wall times are single runs: note the load.
#
# usage: bench/cache.sh [MODULE_DIR]     (run from the repository root)
#   default MODULE_DIR: cli/cli v2.14.0 from the module proxy (GOSUMDB=off
#   where the checksum database cannot be reached), with its dependencies
#   downloaded. The tree is copied: the original is not changed.
# env:   DB    an imported scangate database, or
#        OSV   raw advisories to import into a temporary one (e.g. a checkout
#              of golang/vulndb's data/osv); one of the two is required.
#        KEEP=1 keeps the temporary directory.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_init jq
cli_source "${1:-}"

build_scangate "$tmp"
open_db "$tmp"

cp -r "$src" "$tmp/tree" && chmod -R u+w "$tmp/tree"
tree=$tmp/tree
cache=$tmp/cache

# scan NAME [FLAGS...]: one scan of the tree (lib.sh's timed_scan).
scan() { local name=$1; shift; timed_scan "$name" "$tree" "$@"; }

# A leaf package: no package of the module imports it.
leaf=$(leaf_package "$tree")
leafpkg=${leaf%% *}
leafdir=${leaf#* }
leaffile=$(ls "$leafdir"/*.go | grep -v '_test.go$' | head -1)

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
scan warmup --no-cache
scan nocache --no-cache
scan cold --cache-dir "$cache"
scan nocache2 --no-cache # bracketing the cold scan evens out drifting load
scan warm --cache-dir "$cache"
printf '\n// bench: a one-file change\nfunc benchCacheChange() int { return 1 }\n' >>"$leaffile"
scan changed --cache-dir "$cache"
scan changed-nocache --no-cache
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

lines=$(cd "$tree" && find . -name '*.go' -not -path './vendor/*' -print0 | xargs -0 cat | wc -l)
echo
echo "module: $src ($lines lines of Go), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "changed file: ${leaffile#"$tree"/} (package $leafpkg, imported by no package of the module)"
echo
echo "| measure | seconds | ratio | target | SARIF results |"
echo "| --- | --- | --- | --- | --- |"
nocache=$(echo "($(cat "$tmp/nocache.wall") + $(cat "$tmp/nocache2.wall")) / 2" | bc -l)
printf '| cold, no cache (mean of the scans before and after) | %.2f | | | |\n' "$nocache"
printf '| cold, empty cache / cold, no cache | %.2f | %s | <= 1.05 | %s |\n' "$(cat "$tmp/cold.wall")" \
	"$(ratio "$(cat "$tmp/cold.wall")" "$nocache")" "$(same cold nocache)"
printf '| unchanged rescan / cold | %.2f | %s | <= 0.05 | %s |\n' "$(cat "$tmp/warm.wall")" \
	"$(ratio "$(cat "$tmp/warm.wall")" "$(cat "$tmp/cold.wall")")" "$(same warm cold)"
printf '| one-file change: gosec / gosec cold | %.2f / %.2f | %s | <= 0.15 | %s (vs uncached scan of the change) |\n' \
	"$(gosec_s changed)" "$(gosec_s cold)" "$(ratio "$(gosec_s changed)" "$(gosec_s cold)")" "$(same changed changed-nocache)"
printf '| one-file change: whole scan / cold | %.2f | %s | | |\n' "$(cat "$tmp/changed.wall")" \
	"$(ratio "$(cat "$tmp/changed.wall")" "$(cat "$tmp/cold.wall")")"
