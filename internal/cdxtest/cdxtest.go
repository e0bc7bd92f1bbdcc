// Package cdxtest checks CycloneDX documents in tests: against the
// official CycloneDX 1.6 JSON schema (testdata/cyclonedx), and for what
// the schema cannot say (unique bom-refs, references that resolve).
package cdxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const base = "http://cyclonedx.org/schema/"

var (
	once   sync.Once
	schema *jsonschema.Schema
	errSch error
)

func compile() (*jsonschema.Schema, error) {
	once.Do(func() {
		_, self, _, _ := runtime.Caller(0)
		dir := filepath.Join(filepath.Dir(self), "..", "..", "testdata", "cyclonedx")
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		// bom-1.6 refers to the other two by their $id: serve them from testdata, not the network.
		for _, f := range []string{"spdx.schema.json", "jsf-0.82.schema.json", "bom-1.6.schema.json"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				errSch = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				errSch = fmt.Errorf("%s: %w", f, err)
				return
			}
			if err := c.AddResource(base+f, doc); err != nil {
				errSch = err
				return
			}
		}
		schema, errSch = c.Compile(base + "bom-1.6.schema.json")
	})
	return schema, errSch
}

// BOM is the part of a document the checks read.
type BOM struct {
	SpecVersion string `json:"specVersion"`
	Metadata    struct {
		Component Component `json:"component"`
	} `json:"metadata"`
	Components      []Component     `json:"components"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}

type Component struct {
	Type     string `json:"type"`
	BOMRef   string `json:"bom-ref"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	PURL     string `json:"purl"`
	Scope    string `json:"scope"`
	Evidence struct {
		Occurrences []struct {
			Location string `json:"location"`
		} `json:"occurrences"`
	} `json:"evidence"`
}

type Vulnerability struct {
	ID       string `json:"id"`
	Analysis struct {
		State         string `json:"state"`
		Justification string `json:"justification"`
		Detail        string `json:"detail"`
	} `json:"analysis"`
	Affects []struct {
		Ref string `json:"ref"`
	} `json:"affects"`
	Ratings []struct {
		Severity string  `json:"severity"`
		Score    float64 `json:"score"`
	} `json:"ratings"`
}

// Validate checks doc against the CycloneDX 1.6 schema, that its bom-refs
// are unique and that every vulnerability affects a component of the BOM,
// and returns it decoded.
func Validate(doc []byte) (*BOM, error) {
	sch, err := compile()
	if err != nil {
		return nil, fmt.Errorf("CycloneDX schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(inst); err != nil {
		return nil, err
	}
	var b BOM
	if err := json.Unmarshal(doc, &b); err != nil {
		return nil, err
	}
	refs := map[string]bool{}
	for _, c := range append([]Component{b.Metadata.Component}, b.Components...) {
		if c.BOMRef == "" {
			return nil, fmt.Errorf("component %q has no bom-ref", c.Name)
		}
		if refs[c.BOMRef] {
			return nil, fmt.Errorf("bom-ref %q is not unique", c.BOMRef)
		}
		refs[c.BOMRef] = true
	}
	for _, v := range b.Vulnerabilities {
		for _, a := range v.Affects {
			if !refs[a.Ref] {
				return nil, fmt.Errorf("vulnerability %s affects %q, which no component is", v.ID, a.Ref)
			}
		}
	}
	return &b, nil
}
