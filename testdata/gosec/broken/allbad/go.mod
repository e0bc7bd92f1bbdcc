module example.com/broken/allbad

go 1.21
