package osv

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// repoConfig is what matters to us of an osv-scanner.toml: the ignores
// osv-scanner would apply to the lockfiles of its directory
// (internal/config/config.go in osv-scanner v2.5.0). scangate runs with an
// empty override config so that none is applied silently; each one found is
// reported instead, and the findings it would hide carry its reason.
type repoConfig struct {
	IgnoredVulns []struct {
		ID          string    `toml:"id"`
		IgnoreUntil time.Time `toml:"ignoreUntil"`
		Reason      string    `toml:"reason"`
	} `toml:"IgnoredVulns"`
	PackageOverrides []struct {
		Name          string `toml:"name"`
		Version       string `toml:"version"`
		Ecosystem     string `toml:"ecosystem"`
		Ignore        bool   `toml:"ignore"`
		Vulnerability struct {
			Ignore bool `toml:"ignore"`
		} `toml:"vulnerability"`
		Reason string `toml:"reason"`
	} `toml:"PackageOverrides"`
}

// repoIgnores are the ignores found in one osv-scanner.toml.
type repoIgnores struct {
	file    string            // relative to the root
	ids     map[string]string // advisory ID -> reason
	pkgs    map[string]string // "name" or "name@version" -> reason
	idOrder []string
	pkgList []string
}

// loadRepoIgnores reads osv-scanner.toml next to each scanned lockfile. A
// file that does not parse is reported too: osv-scanner would have logged
// an error and used no config.
func loadRepoIgnores(root string, files []lockfile) (map[string]*repoIgnores, []string) {
	out := map[string]*repoIgnores{}
	var problems []string
	seen := map[string]bool{}
	for _, lf := range files {
		dir := path.Dir(lf.Rel)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		rel := path.Join(dir, "osv-scanner.toml")
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		var c repoConfig
		if err := toml.Unmarshal(data, &c); err != nil {
			problems = append(problems, fmt.Sprintf("%s: does not parse (%v); osv-scanner would have used no config", rel, err))
			continue
		}
		ri := &repoIgnores{file: rel, ids: map[string]string{}, pkgs: map[string]string{}}
		for _, v := range c.IgnoredVulns {
			if v.ID == "" {
				continue
			}
			reason := v.Reason
			if !v.IgnoreUntil.IsZero() {
				reason = strings.TrimSpace(reason + " (until " + v.IgnoreUntil.Format("2006-01-02") + ")")
			}
			ri.ids[v.ID] = reason
			ri.idOrder = append(ri.idOrder, v.ID)
		}
		for _, p := range c.PackageOverrides {
			if !(p.Ignore || p.Vulnerability.Ignore) || p.Name == "" {
				continue
			}
			key := p.Name
			if p.Version != "" {
				key += "@" + p.Version
			}
			ri.pkgs[key] = p.Reason
			ri.pkgList = append(ri.pkgList, key)
		}
		if len(ri.ids)+len(ri.pkgs) > 0 {
			out[dir] = ri
		}
	}
	return out, problems
}

// warning is the summary line for one file.
func (ri *repoIgnores) warning() string {
	var parts []string
	if len(ri.idOrder) > 0 {
		parts = append(parts, "[[IgnoredVulns]] "+strings.Join(ri.idOrder, ", "))
	}
	if len(ri.pkgList) > 0 {
		l := append([]string(nil), ri.pkgList...)
		sort.Strings(l)
		parts = append(parts, "[[PackageOverrides]] ignoring "+strings.Join(l, ", "))
	}
	return fmt.Sprintf("%s: %s: not applied; use .scangate-ignore.yml", ri.file, strings.Join(parts, "; "))
}

// match returns the reason a finding would have been hidden, if any.
func (ri *repoIgnores) match(ids []string, name, version string) (string, bool) {
	for _, id := range ids {
		if r, ok := ri.ids[id]; ok {
			return fmt.Sprintf("%s ignores %s: %s", ri.file, id, orNone(r)), true
		}
	}
	for _, k := range []string{name + "@" + version, name} {
		if r, ok := ri.pkgs[k]; ok {
			return fmt.Sprintf("%s ignores package %s: %s", ri.file, k, orNone(r)), true
		}
	}
	return "", false
}

func orNone(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}
