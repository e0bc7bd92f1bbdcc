module example.com/multi/lib

go 1.22
