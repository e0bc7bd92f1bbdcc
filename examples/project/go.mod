module example.com/scangate-example

go 1.22

require (
	golang.org/x/crypto v0.0.0-20220722155217-630584e8d5aa
	golang.org/x/text v0.3.6
)
