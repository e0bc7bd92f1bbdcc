// Command app resolves example.com/multi/lib only through go.work: loading
// it with GOWORK=off fails, so its findings prove the workspace was used.
package main

import (
	"fmt"
	"os"
	"os/exec"

	"example.com/multi/lib"
)

// pointers is the G601 pattern; at go 1.22 each iteration has its own
// variable, so gosec must not report it here.
func pointers(items []string) []*string {
	var out []*string
	for _, item := range items {
		out = append(out, &item)
	}
	return out
}

func main() {
	fmt.Println(lib.Sum([]byte("x")), len(pointers(os.Args)))
	out, err := exec.Command(os.Args[1]).Output()
	fmt.Println(string(out), err)
}
