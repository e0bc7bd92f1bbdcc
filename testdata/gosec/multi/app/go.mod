module example.com/multi/app

go 1.22

require example.com/multi/lib v0.0.0
