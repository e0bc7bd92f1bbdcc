package main

import "encoding/json"

type login struct {
	Password string
}

type vault struct {
	CustomSecret string `json:"my_custom_secret"`
}

// G117's pattern (SampleCodeG117).
func g117() [][]byte {
	a, err := json.Marshal(login{})
	check(err)
	b, err := json.Marshal(vault{})
	check(err)
	return [][]byte{a, b}
}
