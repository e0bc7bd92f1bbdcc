module example.com/gosecconfig

go 1.21
