#!/usr/bin/env bash
# Install scangate for action.yml: the release archive for this runner, its
# sha256 checked against the release's checksums.txt, kept in the runner's
# tool cache, where each use hashes the programs again against the
# checksums recorded at install; or a build from the action's own checkout.
#
# Everything comes from the environment that action.yml's step sets (never
# from the scanned repository, which this script does not read):
#   SCANGATE_INSTALL           auto (default), release or source
#   SCANGATE_VERSION           a release tag (the version input), else
#   SCANGATE_ACTION_REF        the ref the workflow's `uses:` names
#   SCANGATE_RELEASE_BASE_URL  <server>/<owner>/<repo>/releases/download
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT,
#   GITHUB_ACTION_PATH         set by the runner
# It writes dir=<directory holding scangate>, day=<UTC date> and
# week=<ISO week, 2025-W07> to
# $GITHUB_OUTPUT.
set -euo pipefail

fail() {
  echo "::error title=scangate install::$*"
  echo "scangate install: $*" >&2
  exit 1
}

mode=${SCANGATE_INSTALL:-auto}
case $mode in auto | release | source) ;; *) fail "input install: \"$mode\" is not auto, release or source" ;; esac
[ -n "${GITHUB_OUTPUT:-}" ] || fail "GITHUB_OUTPUT is not set (run this from action.yml)"

# A release tag: v1.2.3 (fixed), or v1 / v1.2 (moved by each release).
version=${SCANGATE_VERSION:-}
from=input
if [ -z "$version" ]; then
  version=${SCANGATE_ACTION_REF:-}
  from=ref
fi
release_re='^v[0-9]+(\.[0-9]+){0,2}$|^v[0-9]+\.[0-9]+\.[0-9]+-[0-9A-Za-z.-]+$'
if [ "$from" = input ] && ! [[ $version =~ $release_re ]]; then
  fail "input version: \"$version\" is not a release tag (v1, v1.2 or v1.2.3)"
fi

output() {
  case $1 in *$'\n'* | *$'\r'*) fail "a path with a line break: $1" ;; esac
  # day keys the database cache (refreshed once a day), week the result
  # cache (a new entry at most once a week per job and lockfile set).
  local v
  v=$("$1/scangate" version) || fail "$1/scangate does not run on this runner"
  echo "${v%%$'\n'*}"
  printf 'dir=%s\nday=%s\nweek=%s\n' "$1" "$(date -u +%Y-%m-%d)" "$(date -u +%G-W%V)" >>"$GITHUB_OUTPUT"
}

# from_source builds scangate and its companion from the action's checkout
# with the release build's flags (so the go build cache serves both).
from_source() {
  command -v go >/dev/null || fail "install from source needs Go on PATH (actions/setup-go), or set input version to a release"
  [ -f "${GITHUB_ACTION_PATH:-}/cmd/scangate/main.go" ] || fail "GITHUB_ACTION_PATH (${GITHUB_ACTION_PATH:-unset}) is not a scangate checkout"
  local dir stamp=${SCANGATE_ACTION_REF:-}
  # The ref names the build (scangate version); only plain ref characters.
  [[ $stamp =~ ^[A-Za-z0-9._/-]+$ ]] || stamp=source
  dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/scangate-src.XXXXXX")
  echo "scangate install: building from source in $GITHUB_ACTION_PATH (go build; minutes when the module cache is cold)"
  (cd "$GITHUB_ACTION_PATH" &&
    CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOWORK=off go build -trimpath \
      -ldflags="-s -w -X main.version=$stamp" \
      -o "$dir/" ./cmd/scangate ./cmd/scangate-govulncheck) || fail "go build of the action's checkout failed (see above)"
  output "$dir"
}

if [ "$mode" = source ]; then
  from_source
  exit 0
fi
if ! [[ $version =~ $release_re ]]; then
  if [ "$mode" = auto ]; then
    echo "::warning title=scangate install::the action ref \"$version\" is not a release tag, so scangate is built from source (slow). Set input version to the release you want (e.g. v1.2.3) for a download in seconds."
    from_source
    exit 0
  fi
  fail "the action ref \"$version\" is not a release tag: set input version (e.g. v1.2.3), or install: source"
fi

case ${RUNNER_OS:-}/${RUNNER_ARCH:-} in
  Linux/X64) platform=linux-amd64 ;;
  Linux/ARM64) platform=linux-arm64 ;;
  macOS/X64) platform=darwin-amd64 ;;
  macOS/ARM64) platform=darwin-arm64 ;;
  *) fail "no scangate release build for ${RUNNER_OS:-unknown OS}/${RUNNER_ARCH:-unknown arch} (releases cover Linux and macOS on X64 and ARM64); set install: source to build it with Go" ;;
esac
base=${SCANGATE_RELEASE_BASE_URL:-}
[ -n "$base" ] || fail "SCANGATE_RELEASE_BASE_URL is not set (action.yml sets it from the action's repository)"
asset=scangate-$platform.tar.gz
url=$base/$version

if command -v sha256sum >/dev/null; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  fail "neither sha256sum nor shasum is installed"
fi

cache=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/scangate/$version
final=$cache/$platform
programs=(scangate scangate-govulncheck)
# .sha256 is the archive's checksum; .programs.sha256 the programs', taken
# from the verified archive at install.
cached() { [ -x "$final/scangate" ] && [ -x "$final/scangate-govulncheck" ] && [ -s "$final/.sha256" ] && [ -s "$final/.programs.sha256" ]; }
# The programs still hash to what was recorded: a persistent runner's tool
# cache outlives the job that filled it (docs/security.md says what this
# proves and what it does not).
intact() {
  local name want
  for name in "${programs[@]}"; do
    want=$(awk -v n="$name" '$2 == n { print $1 }' "$final/.programs.sha256")
    [[ $want =~ ^[0-9a-f]{64}$ ]] && [ "$(sha256 "$final/$name")" = "$want" ] || return 1
  done
}
# usable says whether the cached entry may run; a changed one is reported
# once and installed again.
warned=
usable() {
  cached || return 1
  intact && return 0
  [ -n "$warned" ] || echo "::warning title=scangate install::$final does not match the checksums recorded when it was installed (changed since): installing $version again"
  warned=1
  return 1
}

# A fixed release never changes: a complete entry is used without asking.
if [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] && usable; then
  echo "scangate install: $version $platform from the tool cache ($final)"
  output "$final"
  exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.download.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fetch() {
  curl -fsSL --retry 3 --proto-redir =https -o "$2" "$1" ||
    fail "cannot download $1 (is $version a scangate release with a $asset? Otherwise set input version, or install: source)"
}

fetch "$url/checksums.txt" "$tmp/checksums.txt"
want=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$tmp/checksums.txt")
[[ $want =~ ^[0-9a-f]{64}$ ]] || fail "checksums.txt of $version has no sha256 for $asset"

# A moving tag (v1) is checked against its current checksums.txt.
if [ "$(cat "$final/.sha256" 2>/dev/null)" = "$want" ] && usable; then
  echo "scangate install: $version $platform from the tool cache ($final)"
  output "$final"
  exit 0
fi

echo "scangate install: downloading $url/$asset"
fetch "$url/$asset" "$tmp/$asset"
got=$(sha256 "$tmp/$asset")
if [ "$got" != "$want" ]; then
  fail "checksum mismatch for $asset of $version: checksums.txt says $want, the download is $got; not installing it"
fi

mkdir "$tmp/bin"
tar -xzf "$tmp/$asset" -C "$tmp/bin" scangate scangate-govulncheck ||
  fail "$asset of $version does not hold scangate and scangate-govulncheck"
echo "$want" >"$tmp/bin/.sha256"
for name in "${programs[@]}"; do
  printf '%s  %s\n' "$(sha256 "$tmp/bin/$name")" "$name"
done >"$tmp/bin/.programs.sha256"
# Complete before it is visible: the directory is renamed into place.
old=
if [ -e "$final" ]; then
  old=$tmp/old
  mv "$final" "$old" 2>/dev/null || old=
fi
if ! mv "$tmp/bin" "$final" 2>/dev/null; then
  # Another job on this runner installed it meanwhile.
  cached && [ "$(cat "$final/.sha256")" = "$want" ] && intact || fail "cannot install into $final"
fi
echo "scangate install: $version $platform verified (sha256 $want), in $final"
output "$final"
