// Command stdlibuser reads a zip file with archive/zip.OpenReader, the
// symbol the test fixture advisory GO-9999-0001 marks as vulnerable.
package main

import (
	"archive/zip"
	"fmt"
	"os"
)

func main() {
	for _, name := range os.Args[1:] {
		list(name)
	}
}

func list(name string) {
	r, err := zip.OpenReader(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer r.Close()
	for _, f := range r.File {
		fmt.Println(f.Name)
	}
}
