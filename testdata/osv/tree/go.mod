module example.com/tree

go 1.22

require (
	golang.org/x/mod v0.12.0
	golang.org/x/text v0.3.6
)
