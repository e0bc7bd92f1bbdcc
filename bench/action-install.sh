#!/usr/bin/env bash
# Measures the Action's setup (scripts/action-install.sh) on this machine:
#   cold: an empty tool cache; checksums.txt and the archive come from a
#         local file:// release (so: no network time), then sha256 and tar;
#   warm: the tool cache holds the release (what a second job on the same
#         runner, or a self-hosted runner, does).
# Each line is the median of N runs; the archive and binary sizes follow.
# The network part of a real cold install is the archive's size over the
# runner's bandwidth to github.com's release storage; it is not measured.
#
# usage: bench/action-install.sh [N]     (run from the repository root; N=5)
set -euo pipefail
n=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

goos=$(go env GOOS) goarch=$(go env GOARCH)
case $goos/$goarch in
  linux/amd64) os=Linux arch=X64 ;; linux/arm64) os=Linux arch=ARM64 ;;
  darwin/amd64) os=macOS arch=X64 ;; darwin/arm64) os=macOS arch=ARM64 ;;
  *) echo "bench: no release archive for $goos/$goarch" >&2; exit 2 ;;
esac
start=$(date +%s.%N)
GOFLAGS=${GOFLAGS:--buildvcs=false} "$repo/scripts/release-build.sh" v0.0.0-bench "$work/rel/v0.0.0-bench" "$goos/$goarch" >/dev/null
echo "release-build.sh for $goos/$goarch: $(echo "$(date +%s.%N) - $start" | bc) s (go build cache as it was)"

run() { # run TOOLCACHE: prints the wall time of one install in seconds
  local s e
  s=$(date +%s.%N)
  env RUNNER_OS=$os RUNNER_ARCH=$arch RUNNER_TOOL_CACHE="$1" RUNNER_TEMP="$work" GITHUB_OUTPUT="$work/out" \
    SCANGATE_ACTION_REF=v0.0.0-bench SCANGATE_RELEASE_BASE_URL="file://$work/rel" \
    "$repo/scripts/action-install.sh" >/dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cold=$(for i in $(seq "$n"); do rm -rf "$work/tc"; run "$work/tc"; done | median)
warm=$(for i in $(seq "$n"); do run "$work/tc"; done | median)
echo "install cold (local file, no network): ${cold} s (median of $n)"
echo "install warm (tool cache hit):         ${warm} s (median of $n)"
echo "archive scangate-$goos-$goarch.tar.gz: $(stat -c %s "$work/rel/v0.0.0-bench/scangate-$goos-$goarch.tar.gz" 2>/dev/null || stat -f %z "$work/rel/v0.0.0-bench/scangate-$goos-$goarch.tar.gz") bytes"
for b in scangate scangate-govulncheck; do
  f=$work/tc/scangate/v0.0.0-bench/$goos-$goarch/$b
  echo "$b: $(stat -c %s "$f" 2>/dev/null || stat -f %z "$f") bytes"
done
