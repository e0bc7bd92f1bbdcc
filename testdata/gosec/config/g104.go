package main

import "io/ioutil"

// G104 with functions to let pass (SampleCodeG104).
func g104() {
	ioutil.WriteFile("foo.txt", []byte("bar"), 0o600)
}
