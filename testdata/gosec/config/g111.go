package main

import "net/http"

// G111's pattern (SampleCodeG111).
func g111() []http.Handler {
	root := http.FileServer(http.Dir("/"))
	www := http.FileServer(http.Dir("/srv/www"))
	return []http.Handler{root, www}
}
