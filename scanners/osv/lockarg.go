package osv

import (
	"strings"

	"github.com/google/osv-scalibr/extractor/filesystem/language/cpp/conanlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/pubspec"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/depsjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packagesconfig"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/erlang/mixlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/cabal"
	"github.com/google/osv-scalibr/extractor/filesystem/language/haskell/stacklock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradlelockfile"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradleverificationmetadataxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/bunlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pdmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/r/renvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
)

// parseAs is osv-scanner's name for each extractor, the "parse-as" prefix
// of a lockfile argument (the inverse of osvscannerScalibrExtractionMapping
// in osv-scanner v2.5.0's pkg/osvscanner/internal/scanners/lockfile.go).
var parseAs = map[string]string{
	pubspec.Name: "pubspec.lock", pnpmlock.Name: "pnpm-lock.yaml", yarnlock.Name: "yarn.lock",
	packagelockjson.Name: "package-lock.json", pomxml.Name: "pom.xml", gradlelockfile.Name: "gradle.lockfile",
	gradleverificationmetadataxml.Name: "verification-metadata.xml", poetrylock.Name: "poetry.lock",
	pipfilelock.Name: "Pipfile.lock", pdmlock.Name: "pdm.lock", pylock.Name: "pylock.toml",
	requirements.Name: "requirements.txt", uvlock.Name: "uv.lock", cargolock.Name: "Cargo.lock",
	composerlock.Name: "composer.lock", mixlock.Name: "mix.lock", renvlock.Name: "renv.lock",
	depsjson.Name: "deps.json", packagesconfig.Name: "packages.config", packageslockjson.Name: "packages.lock.json",
	conanlock.Name: "conan.lock", gomod.Name: "go.mod", bunlock.Name: "bun.lock", gemfilelock.Name: "Gemfile.lock",
	cabal.Name: "cabal.project.freeze", stacklock.Name: "stack.yaml.lock",
}

// lockfileArg is how f is named to osv-scanner. osv-scanner reads a
// lockfile argument as "parse-as:path", cutting at the first ':', so a path
// holding a colon (a file named "requirements-:x.txt") would be cut and its
// tail looked up relative to the working directory. Such a path gets its
// parser named explicitly; ok is false when it has none.
func lockfileArg(f lockfile) (arg string, ok bool) {
	if !strings.Contains(f.Abs, ":") {
		return f.Abs, true
	}
	as := parseAs[f.Extractor]
	return as + ":" + f.Abs, as != ""
}
