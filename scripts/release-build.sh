#!/usr/bin/env bash
# Build the release archives that action.yml's installer downloads
# (scripts/action-install.sh) and their checksums:
#
#   scripts/release-build.sh VERSION OUTDIR [GOOS/GOARCH ...]
#
# writes OUTDIR/scangate-GOOS-GOARCH.tar.gz (scangate and its govulncheck
# companion, which must sit beside it) for each platform, by default
# linux/amd64 linux/arm64 darwin/amd64 darwin/arm64, and OUTDIR/checksums.txt
# (sha256sum format), packaged by scripts/release-package.sh. The go build is
# the Dockerfile's: static, -trimpath, the version stamped in. The release
# workflow runs it; .ci/run runs it for the host platform.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 VERSION OUTDIR [GOOS/GOARCH ...]" >&2
  exit 2
fi
version=$1 out=$2
shift 2
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release-build: version $version is not vMAJOR.MINOR.PATCH[-PRERELEASE]" >&2
  exit 2
fi
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)

mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

specs=()
for p in "${platforms[@]}"; do
  goos=${p%/*} goarch=${p#*/}
  bin=$work/$goos-$goarch
  mkdir -p "$bin"
  echo "+ GOOS=$goos GOARCH=$goarch go build ($version)" >&2
  CGO_ENABLED=0 GOTOOLCHAIN=local GOOS=$goos GOARCH=$goarch \
    go build -trimpath -ldflags="-s -w -X main.version=$version" -o "$bin/" ./cmd/scangate ./cmd/scangate-govulncheck
  specs+=("$p=$bin")
done
scripts/release-package.sh "$out" "${specs[@]}"
