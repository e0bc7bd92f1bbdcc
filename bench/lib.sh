# Sourced by the bench scripts (cache.sh, shard.sh): the scangate under test
# and the database it scans with.

# build_scangate DIR: builds scangate and its govulncheck companion into
# DIR/bin and sets sg to scangate.
build_scangate() {
	echo "building scangate into $1" >&2
	(cd "$repo" && go build -o "$1/bin/" ./cmd/scangate ./cmd/scangate-govulncheck)
	sg=$1/bin/scangate
}

# open_db DIR: sets db to $DB, or to $OSV imported into DIR/db.
open_db() {
	db=${DB:-}
	if [[ -z $db ]]; then
		db=$1/db
		echo "importing $OSV into $db" >&2
		"$sg" db import --db "$db" "$OSV" >/dev/null 2>&1
	fi
}
