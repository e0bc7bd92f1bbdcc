package config

import _ "embed"

// Schema is the JSON Schema (draft-07) of .scangate.yml. Editors that speak
// the yaml-language-server protocol can use it for completion and checks.
//
//go:embed scangate.schema.json
var Schema []byte
