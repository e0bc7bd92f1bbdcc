// Package main holds one snippet per gosec setting scangate passes on,
// after gosec v2.30.0's own samples (testutils/gNNN_samples.go).
package main

func main() {}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
