#!/bin/sh
# Records testdata/golden/example.json: the findings of the standalone
# govulncheck v1.9.0 binary on examples/project with the example database
# (examples/vulndb/GO-*.json in the flat directory layout govulncheck reads
# when index/modules.json is absent). Run from scanners/govulncheck:
#   sh testdata/golden/update.sh
# Nothing it downloads or builds is committed.
set -eu
here=$(pwd)
repo=$(cd ../.. && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOTOOLCHAIN=local GOBIN="$tmp/bin" go install golang.org/x/vuln/cmd/govulncheck@v1.9.0
mkdir "$tmp/db"
cp "$repo"/examples/vulndb/GO-*.json "$tmp/db/"
# The command recorded in example.json, with $DB for the database directory:
cd "$repo"
GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$tmp/bin/govulncheck" -C examples/project -format json -db "file://$tmp/db" ./... >"$tmp/raw.json"
cd "$here"
go test -run '^TestGolden$' -count=1 . -args -golden-raw="$tmp/raw.json"
