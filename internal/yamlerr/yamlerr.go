// Package yamlerr turns yaml.v3 syntax errors into file:line messages.
package yamlerr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// blockProblems are the parser's (not the scanner's) messages: yaml.v3
// reports them at the 0-based line where the enclosing block starts.
var blockProblems = []string{
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
}

// Format describes a yaml.v3 decoding error of file as
// "file:line: invalid YAML: problem".
func Format(file string, err error) string {
	msg := err.Error()
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Sprintf("%s: invalid YAML: %s", file, strings.TrimPrefix(msg, "yaml: "))
	}
	line, _ := strconv.Atoi(m[1])
	for _, p := range blockProblems {
		if m[2] == p {
			return fmt.Sprintf("%s:%d: invalid YAML: %s in the block that starts on this line", file, line+1, p)
		}
	}
	return fmt.Sprintf("%s:%d: invalid YAML: %s", file, line, m[2])
}

// IsNull reports a node that holds nothing (an empty value or null).
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// Kind names what a node holds, for "want X, got Y" messages.
func Kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	case "!!int":
		return "the integer " + n.Value
	case "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	case "!!timestamp":
		return "the date " + n.Value
	case "!!null":
		return "nothing"
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
}
