package main

import (
	"crypto/md5"
	"fmt"

	"golang.org/x/net/idna"
)

func main() {
	s, _ := idna.ToASCII("x")
	fmt.Println(md5.Sum([]byte(s)))
}
