//go:build race

package e2e

// raceEnabled: the test binary is built with -race, so is scangate.
const raceEnabled = true
