package osv

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/enricher/vulnmatch/osvlocal"
	"github.com/google/osv-scalibr/extractor"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/scangate/scangate/vulndb"
)

// The matching half of osv-scanner v2.5.0's offline scan, without its
// process-global logger: osv-scalibr's osvlocal matcher
// (VulnerabilitiesAffectingPackage) over the advisories of the ecosystem's
// all.zip, then osv-scanner's grouping by aliases and its MaxSeverity.

// pkgVulns is one package of one lockfile with the advisories that affect
// it, grouped as osv-scanner groups them (models.PackageVulns).
type pkgVulns struct {
	Pkg       *extractor.Package
	Name      string
	Version   string
	Ecosystem string
	Vulns     []*osvpb.Vulnerability
	Groups    []group
}

// group is a set of advisories that alias each other (models.GroupInfo):
// IDs with osv-scanner's representative first, Aliases the sorted union of
// IDs and aliases, MaxSeverity the highest CVSS base score ("" if none).
type group struct {
	IDs         []string
	Aliases     []string
	MaxSeverity string
}

// advisories are the entries of one ecosystem's zip that name one of the
// scan's packages (osvlocal loads the same subset).
func advisories(ctx context.Context, localDB, ecosystem string, names map[string]bool) ([]*osvpb.Vulnerability, error) {
	zr, err := zip.OpenReader(vulndb.EcosystemZip(localDB, ecosystem))
	if err != nil {
		return nil, fmt.Errorf("%s advisories: %w", ecosystem, err)
	}
	defer zr.Close()
	var out []*osvpb.Vulnerability
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s advisories: %s: %w", ecosystem, f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s advisories: %s: %w", ecosystem, f.Name, err)
		}
		v := &osvpb.Vulnerability{}
		// osvlocal skips an entry that does not parse; the import checked them.
		if protojson.Unmarshal(b, v) != nil {
			continue
		}
		if mayAffect(v, names) {
			out = append(out, v)
		}
	}
	return out, nil
}

// mayAffect keeps an advisory naming one of the packages, in a looser
// spelling than osvlocal's (case, PyPI separators): the matcher decides.
func mayAffect(v *osvpb.Vulnerability, names map[string]bool) bool {
	for _, a := range v.GetAffected() {
		if names[looseName(a.GetPackage().GetName())] {
			return true
		}
	}
	return false
}

func looseName(s string) string {
	return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(s))
}

// affecting is what osvlocal reports for the package.
func affecting(vulns []*osvpb.Vulnerability, p *extractor.Package) []*osvpb.Vulnerability {
	return osvlocal.VulnerabilitiesAffectingPackage(vulns, p)
}

// groupVulns is osv-scanner's grouper.Group over
// grouper.ConvertVulnerabilityToIDAliases, then its MaxSeverity per group.
func groupVulns(vulns []*osvpb.Vulnerability) []group {
	vulns = slices.Clone(vulns)
	slices.SortFunc(vulns, func(a, b *osvpb.Vulnerability) int {
		if la, lb := len(a.GetUpstream()), len(b.GetUpstream()); la != lb {
			return lb - la // the most upstreams first
		}
		return idOrder(a.GetId(), b.GetId())
	})
	type idAliases struct {
		id      string
		aliases []string
	}
	list := make([]idAliases, len(vulns))
	for i, v := range vulns {
		al := slices.Concat(v.GetAliases(), v.GetUpstream())
		if strings.Split(v.GetId(), "-")[0] == "USN" {
			al = append(al, v.GetRelated()...)
		}
		list[i] = idAliases{v.GetId(), al}
	}
	intersect := func(a, b idAliases) bool {
		for _, x := range a.aliases {
			if slices.Contains(b.aliases, x) {
				return true
			}
		}
		return slices.Contains(a.aliases, b.id) || slices.Contains(b.aliases, a.id)
	}
	gid := make([]int, len(list))
	for i := range gid {
		gid[i] = i
	}
	// The same pairwise merge as osv-scanner's, so that the same groups come out.
	for i := range list {
		for j := i + 1; j < len(list); j++ {
			if intersect(list[i], list[j]) {
				gid[i] = min(gid[i], gid[j])
				gid[j] = gid[i]
			}
		}
	}
	ids, aliases := map[int][]string{}, map[int][]string{}
	for i, g := range gid {
		ids[g] = append(ids[g], list[i].id)
		aliases[g] = append(aliases[g], list[i].aliases...)
	}
	keys := make([]int, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]group, 0, len(keys))
	for _, k := range keys {
		slices.SortFunc(ids[k], idOrder)
		al := append(aliases[k], ids[k]...)
		sort.Strings(al)
		g := group{IDs: ids[k], Aliases: slices.Compact(al)}
		g.MaxSeverity = maxSeverity(g.IDs, vulns)
		out = append(out, g)
	}
	return out
}

// idOrder is osv-scanner's identifiers.IDSortFunc: CVE, then the others
// (GO-, PYSEC-, ...), then GHSA; by name within a prefix.
func idOrder(a, b string) int {
	rank := func(id string) int {
		switch strings.Split(id, "-")[0] {
		case "DSA", "USN":
			return 3
		case "CVE":
			return 2
		case "GHSA":
			return 0
		}
		return 1
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return rb - ra
	}
	return strings.Compare(a, b)
}

// maxSeverity is osv-scanner's output.MaxSeverity: the highest base score
// over the group's advisories, each scored by all its severities, or -1
// (no score) when one of them does not parse.
func maxSeverity(ids []string, vulns []*osvpb.Vulnerability) string {
	best := -1.0
	for _, id := range ids {
		var sevs []*osvpb.Severity
		for _, v := range vulns {
			if v.GetId() == id {
				sevs = v.GetSeverity()
			}
		}
		best = max(best, overallScore(sevs))
	}
	if best < 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", best)
}

func overallScore(sevs []*osvpb.Severity) float64 {
	top := -1.0
	for _, s := range sevs {
		score, err := cvssScore(s)
		if err != nil {
			return -1
		}
		top = max(top, score)
	}
	return top
}

func cvssScore(s *osvpb.Severity) (float64, error) {
	v := s.GetScore()
	switch s.GetType() {
	case osvpb.Severity_CVSS_V2:
		c, err := gocvss20.ParseVector(v)
		if err != nil {
			return -1, err
		}
		return c.BaseScore(), nil
	case osvpb.Severity_CVSS_V3:
		switch {
		case strings.HasPrefix(v, "CVSS:3.0"):
			c, err := gocvss30.ParseVector(v)
			if err != nil {
				return -1, err
			}
			return c.BaseScore(), nil
		case strings.HasPrefix(v, "CVSS:3.1"):
			c, err := gocvss31.ParseVector(v)
			if err != nil {
				return -1, err
			}
			return c.BaseScore(), nil
		}
	case osvpb.Severity_CVSS_V4:
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return -1, err
		}
		return c.Score(), nil
	}
	return -1, nil
}
