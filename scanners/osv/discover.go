package osv

import (
	"io/fs"
	"path/filepath"
	"slices"
	"sort"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/cpp/conanlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/pubspec"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/csproj"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/depsjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/nugetcpm"
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
	"github.com/google/osv-scalibr/extractor/filesystem/language/swift/packageresolved"
	"github.com/google/osv-scalibr/extractor/filesystem/simplefileapi"

	"github.com/scangate/scangate/scanner"
)

// kinds are the language extractors of osv-scanner v2.5.0's "lockfile"
// preset (internal/scalibrplugin/presets.go) with the OSV ecosystem of the
// packages each yields, which names the database zip the scan needs.
// Discovery asks the extractors themselves, so it finds exactly the files
// osv-scanner understands. Left out: the OS package databases (apk, dpkg),
// which are not in a source tree, and osv-scanner's own JSON output.
var kinds = []struct {
	new       func(*cpb.PluginConfig) (filesystem.Extractor, error)
	ecosystem string
}{
	{gomod.New, "Go"},
	{requirements.New, "PyPI"},
	{poetrylock.New, "PyPI"},
	{pipfilelock.New, "PyPI"},
	{uvlock.New, "PyPI"},
	{pdmlock.New, "PyPI"},
	{pylock.New, "PyPI"},
	{packagelockjson.New, "npm"},
	{yarnlock.New, "npm"},
	{pnpmlock.New, "npm"},
	{bunlock.New, "npm"},
	{gemfilelock.New, "RubyGems"},
	{cargolock.New, "crates.io"},
	{composerlock.New, "Packagist"},
	{pomxml.New, "Maven"},
	{gradlelockfile.New, "Maven"},
	{gradleverificationmetadataxml.New, "Maven"},
	{packageslockjson.New, "NuGet"},
	{packagesconfig.New, "NuGet"},
	{csproj.New, "NuGet"},
	{depsjson.New, "NuGet"},
	{nugetcpm.New, "NuGet"},
	{pubspec.New, "Pub"},
	{mixlock.New, "Hex"},
	{renvlock.New, "CRAN"},
	{cabal.New, "Hackage"},
	{stacklock.New, "Hackage"},
	{packageresolved.New, "SwiftURL"},
	{conanlock.New, "ConanCenter"},
}

type extractorKind struct {
	ex        filesystem.Extractor
	ecosystem string
}

func extractors() []extractorKind {
	out := make([]extractorKind, 0, len(kinds))
	for _, k := range kinds {
		ex, err := k.new(&cpb.PluginConfig{})
		if err != nil {
			continue // cannot happen with an empty config; the test checks every kind
		}
		out = append(out, extractorKind{ex, k.ecosystem})
	}
	return out
}

// lockfile is one manifest or lockfile to scan.
type lockfile struct {
	Abs       string
	Rel       string // relative to the root, "/" separated
	Ecosystem string
	Extractor string // osv-scalibr plugin name ("python/requirements")
}

// discover walks root for lockfiles; with first it stops at the first one.
// The directories skip matches are not read; what cannot be read is a gap.
func discover(root string, skip []string, first bool) ([]lockfile, []scanner.Gap, error) {
	exs := extractors()
	var out []lockfile
	gaps, err := scanner.TreeWalk{Root: root, Exclude: skip}.Walk(func(p, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if scanner.SkippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || scanner.Excluded(skip, rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // gone since its directory was read
		}
		api := simplefileapi.New(rel, info)
		for _, k := range exs {
			if k.ex.FileRequired(api) {
				out = append(out, lockfile{Abs: p, Rel: rel, Ecosystem: k.ecosystem, Extractor: k.ex.Name()})
				if first {
					return filepath.SkipAll
				}
				break
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out, gaps, err
}

// skipped are the skip-lockfiles globs and the scan's exclusions, in
// scangate's one glob dialect (scanner.Excluded).
func skipped(globs ...[]string) []string { return slices.Concat(globs...) }
