package gosec

import (
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"unicode"

	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/cwe"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"

	"github.com/scangate/scangate/finding"
)

const (
	infoURI  = "https://github.com/securego/gosec"
	rulesDoc = "https://github.com/securego/gosec/blob/v2.30.0/RULES.md"
)

// ruleInfo is what we know about one gosec rule before it fires.
type ruleInfo struct {
	id, name, description string
	ssa                   bool
}

// catalogue lists every rule and analyzer gosec v2.30.0 has, by ID.
var catalogue = func() map[string]ruleInfo {
	m := map[string]ruleInfo{}
	for id, def := range rules.Generate(false).Rules {
		m[id] = ruleInfo{id: id, name: builderName(def.Create), description: def.Description}
	}
	for id, def := range analyzers.Generate(false).Analyzers {
		m[id] = ruleInfo{id: id, name: builderName(def.Create), description: def.Description, ssa: true}
	}
	return m
}()

// RuleIDs returns the IDs of every gosec rule and analyzer, sorted; use it to
// validate configuration.
func RuleIDs() []string {
	ids := make([]string, 0, len(catalogue))
	for id := range catalogue {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// builderName derives a rule name from its constructor's name
// (rules.NewReadFile -> "ReadFile", newSQLInjectionAnalyzer -> "SQLInjection"):
// gosec has no other short identifier for a rule.
func builderName(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return ""
	}
	name := f.Name()
	name = name[strings.LastIndex(name, ".")+1:]
	name = strings.TrimPrefix(strings.TrimPrefix(name, "New"), "new")
	name = strings.TrimSuffix(name, "Analyzer")
	if name == "" {
		return ""
	}
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// cweFallback covers rules whose CWE gosec names in issue.ruleToCWE but
// lacks in its CWE table (cwe/data.go), so issue.Cwe is nil for them.
var cweFallback = map[string]cwe.Weakness{
	"G116": {ID: "838", Name: "Inappropriate Encoding for Output Context",
		Description: "The product uses or specifies an encoding when generating output to a downstream component, but the specified encoding is not the same as the encoding that is expected by the downstream component."},
	"G121": {ID: "346", Name: "Origin Validation Error",
		Description: "The product does not properly verify that the source of data or communication is valid."},
	"G710": {ID: "601", Name: "URL Redirection to Untrusted Site ('Open Redirect')",
		Description: "The web application accepts a user-controlled input that specifies a link to an external site, and uses that link in a redirect."},
}

// weakness returns the CWE of a rule, from gosec or our fallback table.
func weakness(ruleID string) *cwe.Weakness {
	if w := issue.GetCweByRule(ruleID); w != nil {
		return w
	}
	if w, ok := cweFallback[ruleID]; ok {
		return &w
	}
	return nil
}

// describe builds the rule metadata for a rule that fired. sev is the
// highest severity it was reported with; gosec rules have no default.
func describe(ruleID, what string, sev finding.Severity) finding.Rule {
	info, known := catalogue[ruleID]
	if !known {
		info = ruleInfo{id: ruleID, description: what}
	}
	r := finding.Rule{
		ID:       ruleID,
		Name:     info.name,
		Short:    info.description,
		Severity: sev,
		Tags:     []string{"security"},
	}
	if r.Name == "" {
		r.Name = ruleID
	}
	if r.Short == "" {
		r.Short = what
	}
	kind := "AST rule"
	if info.ssa {
		kind = "SSA analyzer"
	}
	docs := fmt.Sprintf("gosec rule list: %s", rulesDoc)
	var help, md strings.Builder
	fmt.Fprintf(&help, "gosec %s %s: %s.\n", kind, ruleID, r.Short)
	fmt.Fprintf(&md, "**gosec %s %s**: %s.\n\n", kind, ruleID, r.Short)
	r.Full = r.Short + "."
	r.HelpURI = rulesDoc
	if w := weakness(ruleID); w != nil {
		r.Tags = append(r.Tags, "external/cwe/cwe-"+w.ID)
		r.HelpURI = w.SprintURL()
		r.Full = fmt.Sprintf("%s. CWE-%s: %s.", r.Short, w.ID, w.Name)
		fmt.Fprintf(&help, "CWE-%s: %s. %s\n", w.ID, w.Name, strings.TrimSpace(w.Description))
		fmt.Fprintf(&md, "[CWE-%s: %s](%s): %s\n\n", w.ID, w.Name, w.SprintURL(), strings.TrimSpace(w.Description))
	}
	fmt.Fprintf(&help, "Fix the flagged code, or suppress a reviewed occurrence in source with `// #nosec %s -- reason`.\n%s\n", ruleID, docs)
	fmt.Fprintf(&md, "Fix the flagged code, or suppress a reviewed occurrence in source with `// #nosec %s -- reason`.\n\nSee the [gosec rule list](%s).\n", ruleID, rulesDoc)
	r.Help = help.String()
	r.HelpMarkdown = md.String()
	return r
}
