#!/usr/bin/env bash
# Measures the pull-request flow of the result cache on one real module, as
# ratios taken in one run, every tree at a path of its own (as on CI
# runners, whose build directories change between jobs):
#   a. cold plain scan, no cache                                   (the reference)
#   b. push scan of the base commit at one path fills a cache; at another
#      path a clone with a one-line change in CHANGE runs --new-from-rev
#      the base with that cache                                     (target <= 0.2 x a)
#   c. unchanged rescan of the pushed tree restored at a third path (target <= 0.05 x a)
#   d. in that tree, a one-file change in a leaf package:
#      gosec's part vs gosec's part of a                           (target <= 0.15)
# and the cache hits of each scan (the base's and the head's for b). Every
# scan runs every scanner that applies, offline, with the Go build cache warm
# (one warm-up scan first). Wall times are single runs: note the load.
#
# usage: bench/prflow.sh [MODULE_DIR]     (run from the repository root)
#   default MODULE_DIR: cli/cli v2.14.0 from the module proxy, as bench/cache.sh
#   gets it. The tree is copied into a fresh git repository (one commit, the
#   base): the original is not changed.
# env:   DB     an imported scangate database, or
#        OSV    raw advisories to import into a temporary one; one is required.
#        CHANGE the file the pull request changes, relative to the module
#               (default pkg/cmd/actions/actions.go)
#        VERIFY=1 also scans the pull request without a cache and compares.
#        KEEP=1 keeps the temporary directory.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/bench/lib.sh"
bench_init jq
change=${CHANGE:-pkg/cmd/actions/actions.go}
cli_source "${1:-}"
[[ -f $src/$change ]] || { echo "bench: $src has no $change (set CHANGE)" >&2; exit 2; }

build_scangate "$tmp"
open_db "$tmp"

git_() { git -c user.name=bench -c user.email=bench@example.com -c init.defaultBranch=main "$@"; }

# The base commit: the module as it is, without its own .git.
mkdir "$tmp/origin"
(cd "$src" && tar --exclude=./.git -cf - .) | tar -xf - -C "$tmp/origin"
chmod -R u+w "$tmp/origin"
git_ -C "$tmp/origin" init -q
git_ -C "$tmp/origin" add -A
git_ -C "$tmp/origin" commit -q -m base

# Each tree at a path of its own.
git_ clone -q "$tmp/origin" "$tmp/ci-1/push"
git_ clone -q "$tmp/origin" "$tmp/ci-2/pr"
git_ -C "$tmp/ci-2/pr" checkout -q -b change
sed -i '1a// bench: a one-line change' "$tmp/ci-2/pr/$change"
git_ -C "$tmp/ci-2/pr" commit -q -am "a one-line change"
cache=$tmp/cache # the push scan's; each later scan restores a copy, as actions/cache does
restore() { rm -rf "$tmp/$1" "$tmp/$1-base"; cp -r "$cache" "$tmp/$1"; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
timed_scan warmup "$tmp/origin" --no-cache
timed_scan cold "$tmp/origin" --no-cache
timed_scan push "$tmp/ci-1/push" --cache-dir "$cache"
restore cache-pr
(cd "$tmp/ci-2/pr" && timed_scan pr . --cache-dir "$tmp/cache-pr" --new-from-rev main)
cp -a "$tmp/ci-1/push" "$tmp/ci-3"
restore cache-restored
timed_scan restored "$tmp/ci-3" --cache-dir "$tmp/cache-restored"
leaf=$(leaf_package "$tmp/ci-3")
leafpkg=${leaf%% *}
leafdir=${leaf#* }
leaffile=$(ls "$leafdir"/*.go | grep -v '_test.go$' | head -1)
printf '\n// bench: a one-file change\nfunc benchCacheChange() int { return 1 }\n' >>"$leaffile"
timed_scan leaf "$tmp/ci-3" --cache-dir "$tmp/cache-restored"
if [[ ${VERIFY:-} == 1 ]]; then
	(cd "$tmp/ci-2/pr" && timed_scan pr-nocache . --no-cache --new-from-rev main)
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

hits() { grep -o 'from the result cache: .*' "$tmp/$1.log" | tail -1 | sed 's/from the result cache: //'; }
basehits() { jq -r '.newFrom.cache // "" | sub("from the result cache: "; "")' "$tmp/$1.json"; }
lines=$(cd "$tmp/origin" && find . -name '*.go' -not -path './vendor/*' -print0 | xargs -0 cat | wc -l)
echo
echo "module: $src ($lines lines of Go), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pull request: a one-line change in $change; leaf change: ${leaffile#"$tmp/ci-3"/} (package $leafpkg)"
echo
echo "| measure | seconds | ratio | target | from the result cache |"
echo "| --- | --- | --- | --- | --- |"
printf '| a. cold plain scan, no cache | %.2f | | | |\n' "$(wall cold)"
printf '| push scan of the base, empty cache (path 1) | %.2f | %s | | %s |\n' "$(wall push)" "$(ratio "$(wall push)" "$(wall cold)")" "$(hits push)"
printf '| b. --new-from-rev at path 2 / a | %.2f | %s | <= 0.2 | base: %s; head: %s |\n' "$(wall pr)" \
	"$(ratio "$(wall pr)" "$(wall cold)")" "$(basehits pr)" "$(hits pr)"
printf '| c. unchanged rescan restored at path 3 / a | %.2f | %s | <= 0.05 | %s; results vs push scan: %s |\n' "$(wall restored)" \
	"$(ratio "$(wall restored)" "$(wall cold)")" "$(hits restored)" "$(same restored push)"
printf '| d. leaf change: gosec / gosec of a | %.2f / %.2f | %s | <= 0.15 | %s |\n' "$(gosec_s leaf)" "$(gosec_s cold)" \
	"$(ratio "$(gosec_s leaf)" "$(gosec_s cold)")" "$(hits leaf)"
printf '| d. leaf change: whole scan / a | %.2f | %s | | |\n' "$(wall leaf)" "$(ratio "$(wall leaf)" "$(wall cold)")"
if [[ ${VERIFY:-} == 1 ]]; then
	echo
	echo "pull request with the cache vs without: $(same pr pr-nocache)"
fi
