#!/usr/bin/env bash
# Package built programs as the release archives that action.yml's
# installer downloads (scripts/action-install.sh), with their checksums:
#
#   scripts/release-package.sh OUTDIR GOOS/GOARCH=BINDIR ...
#
# writes OUTDIR/scangate-GOOS-GOARCH.tar.gz from BINDIR/scangate and
# BINDIR/scangate-govulncheck (the companion must sit beside scangate), and
# OUTDIR/checksums.txt (sha256sum format) for all of them.
# scripts/release-build.sh builds and then calls this; the Action's tests
# package the programs they built once, so no second build is needed.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 OUTDIR GOOS/GOARCH=BINDIR ..." >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

assets=()
for spec in "$@"; do
  p=${spec%%=*} bin=${spec#*=}
  if ! [[ $p =~ ^[a-z0-9]+/[a-z0-9]+$ ]] || [ "$bin" = "$spec" ]; then
    echo "release-package: $spec is not GOOS/GOARCH=BINDIR" >&2
    exit 2
  fi
  for prog in scangate scangate-govulncheck; do
    [ -x "$bin/$prog" ] || { echo "release-package: no program $bin/$prog" >&2; exit 2; }
  done
  asset=scangate-${p%/*}-${p#*/}.tar.gz
  # The same bytes for the same binaries: fixed order, owner and times.
  # gzip's default level: -9 made the archive 0.3% smaller in 3x the time.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$bin" -cf - scangate scangate-govulncheck |
    gzip -n >"$work/$asset"
  mv "$work/$asset" "$out/$asset"
  assets+=("$asset")
done

(cd "$out" && sha256sum "${assets[@]}") >"$work/checksums.txt"
mv "$work/checksums.txt" "$out/checksums.txt"
cat "$out/checksums.txt"
