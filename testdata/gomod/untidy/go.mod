module example.com/untidy/api

go 1.21

require golang.org/x/net v0.61.0
