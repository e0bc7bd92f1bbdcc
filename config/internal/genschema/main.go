// Command genschema rewrites the scanners section of the configuration's
// JSON Schema from the registry: go generate ./config.
package main

import (
	"fmt"
	"os"

	"github.com/scangate/scangate/config"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genschema FILE")
		os.Exit(2)
	}
	file := os.Args[1]
	data, err := os.ReadFile(file)
	if err == nil {
		data, err = config.WithScanners(data)
	}
	if err == nil {
		err = os.WriteFile(file, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}
