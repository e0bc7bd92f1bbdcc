// Package tools is a module outside go.work, at go 1.21, where the range
// variable is shared by all iterations and G601 applies.
package tools

// Pointers returns pointers that all alias the loop variable before go 1.22.
func Pointers(items []string) []*string {
	var out []*string
	for _, item := range items {
		out = append(out, &item)
	}
	return out
}
