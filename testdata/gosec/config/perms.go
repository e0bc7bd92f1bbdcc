package main

import "os"

// The permission modes of G301, G302, G306 and G307 (their samples).
func perms() {
	check(os.MkdirAll("d", 0o755))
	check(os.Chmod("f", 0o644))
	check(os.WriteFile("f", nil, 0o644))
	f, err := os.Create("f")
	check(err)
	check(f.Close())
}
