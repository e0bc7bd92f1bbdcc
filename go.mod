module github.com/scangate/scangate

go 1.26.5

require golang.org/x/mod v0.42.0

require (
	github.com/google/osv-scalibr v0.4.6-0.20260727075515-eb1ca153f805
	github.com/owenrumney/go-sarif/v3 v3.3.1
	github.com/pandatix/go-cvss v0.6.2
	github.com/securego/gosec/v2 v2.30.0
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.9
	github.com/xeipuuv/gojsonschema v1.2.0
	golang.org/x/tools v0.52.0
	golang.org/x/vuln v1.9.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/ccojocar/zxcvbn-go v1.0.4 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/rogpeppe/go-internal v1.14.1 // indirect
	github.com/xeipuuv/gojsonpointer v0.0.0-20180127040702-4e3ac2762d5f // indirect
	github.com/xeipuuv/gojsonreference v0.0.0-20180127040603-bd5ef7bd5415 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261010193011-f71dc92da45e // indirect
)
