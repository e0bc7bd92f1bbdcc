package safety

import (
	"os"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Name is the scanner's name in results, --scanners and the configuration.
const Name = "safety"

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Known vulnerabilities of Python requirements: safety, run as an external program when installed.",
	Kind:    finding.KindDependencies,
	Options: &Config{KeyEnv: "SAFETY_API_KEY"},
	Program: "program",
	New: func(o any) scanner.Scanner {
		c := o.(*Config)
		return New(Options{Program: c.Program, DB: c.DB, Key: keyFromEnv(c.KeyEnv)})
	},
}

// Config is scanners.safety in .scangate.yml.
type Config struct {
	// Program is the safety executable; "" means safety on PATH, skipped
	// when absent.
	Program string `yaml:"program" trust:"name a program" doc:"The safety executable (name on PATH or path)."`
	DB      string `yaml:"db" path:"" trust:"choose the vulnerability database (one from the tree could leave out any advisory)" doc:"Local safety database directory (safety --db)."`
	// KeyEnv names the environment variable holding the API key; the key
	// itself never appears in a file. Its value is sent to safety's server.
	KeyEnv string `yaml:"key-env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" trust:"choose the environment variable sent to safety's server as its API key" doc:"Name of the environment variable that holds the safety API key."`
}

// keyFromEnv reads a secret from the variable the configuration names, so
// that the key itself never sits in a file.
func keyFromEnv(name string) string {
	if name == "" {
		return ""
	}
	return os.Getenv(name)
}
