package vulndb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/osv-scalibr/inventory/osvecosystem"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/encoding/protojson"
)

// entry is what the importer keeps of one advisory between its two passes;
// the bytes are read again when the layouts are written.
type entry struct {
	id       string
	in       *input
	file     string
	ecos     []string // base ecosystems of the affected packages that can match, sorted, unique
	modified time.Time
	// stamp is the newest of modified and published: how new the export
	// holding it is at least. golang/vulndb's data/osv has every modified
	// time at its zero placeholder (vuln.go.dev sets them from git), so
	// modified alone would say nothing there.
	stamp     time.Time
	goModules []goModuleVuln // for GO- entries: the modules index rows
	withdrawn bool
	// unmatchable says why a live advisory can match nothing ("" when it
	// can): no affected package with ranges or versions.
	unmatchable string
}

type goModuleVuln struct {
	path  string
	fixed string
}

// advisoryName is the advisory ID a file must hold: its name without the
// extension (<ID>.json, or <ID>.yaml as pypa/advisory-database writes them).
func advisoryName(file string) string {
	base := path.Base(file)
	return strings.TrimSuffix(base, path.Ext(base))
}

// parseAdvisory checks one advisory the way osv-scanner v2.5.0 reads it
// (protojson into the OSV proto, where an unknown field is an error that
// osv-scanner swallows) plus what both scanners need to match it. A
// withdrawn advisory, and one that can match nothing (public databases
// hold records without ranges or versions), is valid: the entry says so
// and the importer keeps it out of matching.
func parseAdvisory(file string, raw []byte) (*entry, error) {
	if err := jsonSyntax(raw); err != nil {
		return nil, fmt.Errorf("%s: bad JSON: %w", file, err)
	}
	var v osvpb.Vulnerability
	if err := protojson.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: %s (osv-scanner would drop this advisory silently)", file, protoError(err))
	}
	id := v.GetId()
	if id == "" {
		return nil, fmt.Errorf("%s: missing \"id\"", file)
	}
	if want := advisoryName(file); want != id {
		return nil, fmt.Errorf("%s: \"id\" is %q: the file must be named after it (%s%s)", file, id, id, path.Ext(file))
	}
	if v.GetModified() == nil {
		return nil, fmt.Errorf("%s: missing \"modified\" (required by the OSV schema)", file)
	}
	e := &entry{id: id, file: file, modified: v.GetModified().AsTime().UTC(), withdrawn: v.GetWithdrawn() != nil}
	e.stamp = e.modified
	if p := v.GetPublished(); p != nil && p.AsTime().After(e.stamp) {
		e.stamp = p.AsTime().UTC()
	}
	isGo := strings.HasPrefix(id, "GO-")
	var unmatchable []string
	for i, a := range v.GetAffected() {
		pkg := a.GetPackage()
		if pkg.GetEcosystem() == "" || pkg.GetName() == "" {
			// OSV allows an affected entry with GIT ranges only: no
			// lockfile can match it.
			unmatchable = append(unmatchable, fmt.Sprintf("affected[%d] names no package", i))
			continue
		}
		eco, err := osvecosystem.Parse(pkg.GetEcosystem())
		if err != nil {
			return nil, fmt.Errorf("%s: affected[%d]: unknown ecosystem %q", file, i, pkg.GetEcosystem())
		}
		for j, r := range a.GetRanges() {
			if r.GetType() == osvpb.Range_UNSPECIFIED {
				return nil, fmt.Errorf("%s: affected[%d].ranges[%d]: missing \"type\"", file, i, j)
			}
			if len(r.GetEvents()) == 0 {
				return nil, fmt.Errorf("%s: affected[%d].ranges[%d]: no events", file, i, j)
			}
		}
		if len(a.GetRanges()) == 0 && len(a.GetVersions()) == 0 {
			unmatchable = append(unmatchable, fmt.Sprintf("affected[%d] (%s %s) has neither ranges nor versions",
				i, pkg.GetEcosystem(), pkg.GetName()))
			continue
		}
		name := string(eco.Ecosystem)
		if !slices.Contains(e.ecos, name) {
			e.ecos = append(e.ecos, name)
		}
		if isGo && name == "Go" {
			e.goModules = append(e.goModules, goModuleVuln{path: pkg.GetName(), fixed: nonSupersededFix(a.GetRanges())})
		}
	}
	if len(e.ecos) == 0 {
		switch {
		case len(unmatchable) > 0:
			e.unmatchable = strings.Join(unmatchable, "; ")
		default:
			e.unmatchable = "no affected package"
		}
	}
	slices.Sort(e.ecos)
	return e, nil
}

// jsonSyntax reports a syntax error with its line and column.
func jsonSyntax(raw []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	err := d.Decode(&v)
	if err == nil {
		if _, err2 := d.Token(); err2 == nil {
			return errors.New("more than one JSON value")
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(raw, se.Offset)
		return fmt.Errorf("line %d, column %d: %s", line, col, se.Error())
	}
	return err
}

func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// protoError turns protojson's `proto: (line 3:5): unknown field "x"` (whose
// separator is randomly a space or a no-break space) into
// `unknown field "x" (line 3:5)`.
func protoError(err error) string {
	s := strings.TrimPrefix(err.Error(), "proto:")
	s = strings.TrimLeft(s, " \u00a0")
	if strings.HasPrefix(s, "(line ") {
		if end := strings.Index(s, "):"); end > 0 {
			return strings.TrimLeft(s[end+2:], " \u00a0") + " " + s[:end+1]
		}
	}
	return s
}

// nonSupersededFix is the modules index's "fixed": the latest fix in the
// SEMVER ranges, or "" when the module was affected again after it. It
// mirrors golang.org/x/vuln/internal/semver.NonSupersededFix.
func nonSupersededFix(ranges []*osvpb.Range) string {
	less := func(a, b string) bool { return semver.Compare("v"+a, "v"+b) < 0 }
	var latest string
	for _, r := range ranges {
		if r.GetType() != osvpb.Range_SEMVER {
			continue
		}
		for _, e := range r.GetEvents() {
			if f := e.GetFixed(); f != "" && less(latest, f) {
				latest = f
			}
		}
		for _, e := range r.GetEvents() {
			if in := e.GetIntroduced(); in != "" && in != "0" && less(latest, in) {
				latest = ""
				break
			}
		}
	}
	return latest
}
