module github.com/scangate/scangate

go 1.26.5

require golang.org/x/mod v0.42.0
