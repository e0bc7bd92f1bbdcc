#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF Multitool and GitHub's rules:
#   scripts/sarif-validate.sh FILE.sarif...
# The Multitool exits 0 even when it reports errors, so this reads the SARIF
# it writes and fails on any result of level error. $SARIF_MULTITOOL names the
# tool (npm install @microsoft/sarif-multitool-linux); else it is looked up
# on PATH as Sarif.Multitool.
set -euo pipefail
tool=${SARIF_MULTITOOL:-$(command -v Sarif.Multitool || true)}
if [ -z "$tool" ]; then
  echo "sarif-validate: no SARIF Multitool (set SARIF_MULTITOOL)" >&2
  exit 2
fi
[ $# -gt 0 ] || { echo "usage: $0 FILE.sarif..." >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$tool" validate --rule-kind "Sarif;Ghas" --max-file-size-in-kb 1000000 --output "$out/validation.sarif" "$@" >"$out/log" 2>&1 || {
  cat "$out/log" >&2
  exit 1
}
python3 - "$out/validation.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
errors = [r for run in log.get("runs", []) for r in run.get("results", []) if r.get("level") == "error"]
for r in errors:
    loc = r.get("locations", [{}])[0].get("physicalLocation", {})
    print("%s(%s): %s %s" % (loc.get("artifactLocation", {}).get("uri", "?"), loc.get("region", {}).get("startLine", "?"),
          r.get("ruleId"), r.get("message", {}).get("arguments")), file=sys.stderr)
print("sarif-validate: %d errors" % len(errors), file=sys.stderr)
sys.exit(1 if errors else 0)
PY
