module example.com/realdeps

go 1.20

require (
	github.com/dgrijalva/jwt-go v3.2.0+incompatible
	github.com/gin-gonic/gin v1.6.3
	golang.org/x/text v0.3.6
)
