package main

// G104 in audit mode (SampleCodeG104Audit).
func test() (int, error) { return 0, nil }

func audit() int {
	v, _ := test()
	return v
}
