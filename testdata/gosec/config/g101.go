package main

// G101's pattern and entropy settings (SampleCodeG101); the comments give
// zxcvbn's entropy of the first 16 characters.
func g101() []string {
	password := "f62e5bcda4fae4f82370da0c6f20697b8f8447ef" // 60.8 bits, 3.8 a character
	vaultKey := "f62e5bcda4fae4f82370da0c6f20697b8f8447ee" // a name outside the default pattern
	secret := "guessable"                                  // 16.6 bits
	passphrase := "correcthorsebatterystaple"              // 32.7 bits
	apiToken := "aaaaaaaaaaaaaaaaQ8#xv!Lp2@zR7%kM"         // 8.7 bits; 104 over 64 characters
	return []string{password, vaultKey, secret, passphrase, apiToken}
}
