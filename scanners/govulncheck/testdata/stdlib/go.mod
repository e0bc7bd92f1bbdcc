module example.com/stdlibuser

go 1.22

toolchain go1.23.4
