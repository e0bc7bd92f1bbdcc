#!/usr/bin/env bash
# Run what can be run of the Dockerfile without a Docker engine:
#   1. the build stage's `go build`, exactly as written (its environment and
#      flags), on the host, with the host's Go (which must be the version the
#      build stage pins);
#   2. the built binaries: `scangate version`, the govulncheck companion's
#      refusal to run by hand, and the Action entrypoint
#      (`scangate action` with INPUT_* variables) on an empty tree.
# Not run here: the apt-get and pip steps, the COPY of the Go toolchain, and
# the final image. Those need Docker and the network.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n 's/^ARG GO_IMAGE=golang:\([0-9.]*\)-.*/\1/p' Dockerfile)
have=$(go env GOVERSION)
if [ "go$want" != "$have" ]; then
  echo "dockerfile-check: the build stage pins Go $want; this host has $have" >&2
  exit 1
fi

# The build stage's go build line, with its output moved to a temp dir.
line=$(grep -E '^RUN .*go build' Dockerfile)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cmd=${line#RUN }
cmd=${cmd//\/out\//$out/}
cmd=${cmd//\$\{VERSION\}/dockerfile-check}
echo "+ $cmd"
GOTOOLCHAIN=local bash -c "$cmd"

"$out/scangate" version
# The govulncheck companion, built beside scangate, refuses to run by hand.
rc=0
"$out/scangate-govulncheck" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || { echo "dockerfile-check: scangate-govulncheck by hand exited $rc, want 2" >&2; exit 1; }
ws=$(mktemp -d)
summary=$ws/summary.md outputs=$ws/outputs
(
  cd "$ws"
  env GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" GITHUB_STEP_SUMMARY="$summary" GITHUB_OUTPUT="$outputs" \
    INPUT_PATH=. INPUT_FAIL-ON=high INPUT_SARIF-FILE=scangate.sarif "$out/scangate" action
)
grep -q '^verdict=pass$' "$outputs"
grep -q '^sarif-file=scangate.sarif$' "$outputs"
test -s "$ws/scangate.sarif"
grep -q '## scangate' "$summary"
rm -rf "$ws"
echo "dockerfile-check: build stage OK; not run: apt-get, pip, the final image (no Docker engine)"
