// Package e2e tests what scangate ships, built and run as its users run
// it: the programs the Dockerfile's build stage builds, the Git hook they
// install, the release archive and the installers that fetch and verify it
// (the GitHub Action's and the GitLab CI template's). The package holds
// tests only. `go test -short` skips every test that builds or runs the
// programs; the README's test command runs them all.
package e2e
