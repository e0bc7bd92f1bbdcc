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
	id        string
	src       source
	file      string
	ecos      []string // base ecosystems of the affected packages, sorted, unique
	modified  time.Time
	goModules []goModuleVuln // for GO- entries: the modules index rows
}

type goModuleVuln struct {
	path  string
	fixed string
}

// parseAdvisory checks one advisory the way osv-scanner v2.5.0 reads it
// (protojson into the OSV proto, where an unknown field is an error that
// osv-scanner swallows) plus what both scanners need to match it.
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
	if want := strings.TrimSuffix(path.Base(file), ".json"); want != id {
		return nil, fmt.Errorf("%s: \"id\" is %q: the file must be named %s.json", file, id, id)
	}
	if v.GetModified() == nil {
		return nil, fmt.Errorf("%s: missing \"modified\" (required by the OSV schema)", file)
	}
	e := &entry{id: id, file: file, modified: v.GetModified().AsTime().UTC()}
	isGo := strings.HasPrefix(id, "GO-")
	for i, a := range v.GetAffected() {
		pkg := a.GetPackage()
		if pkg.GetEcosystem() == "" || pkg.GetName() == "" {
			return nil, fmt.Errorf("%s: affected[%d]: missing package ecosystem or name", file, i)
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
			return nil, fmt.Errorf("%s: affected[%d] (%s %s): neither ranges nor versions: it would match nothing",
				file, i, pkg.GetEcosystem(), pkg.GetName())
		}
		name := string(eco.Ecosystem)
		if !slices.Contains(e.ecos, name) {
			e.ecos = append(e.ecos, name)
		}
		if isGo && name == "Go" {
			e.goModules = append(e.goModules, goModuleVuln{path: pkg.GetName(), fixed: nonSupersededFix(a.GetRanges())})
		}
	}
	if len(e.ecos) == 0 && v.GetWithdrawn() == nil {
		return nil, fmt.Errorf("%s: no affected package: it would match nothing", file)
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
