package scanner

import (
	"runtime/debug"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	bi := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "example.com/plain", Version: "v1.2.3"},
		{Path: "example.com/fork", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
		{Path: "example.com/local", Version: "v1.9.0", Replace: &debug.Module{Path: "../local"}},
		{Path: "example.com/moved", Version: "v1.0.0", Replace: &debug.Module{Path: "example.org/moved", Version: "v2.0.0"}},
	}}
	for path, want := range map[string]string{
		"example.com/plain": "v1.2.3",
		"example.com/fork":  "v1.0.1",
		"example.com/local": "v1.9.0 => ../local",
		"example.com/moved": "v1.0.0 => example.org/moved v2.0.0",
	} {
		if got, ok := ModuleVersion(bi, path); !ok || got != want {
			t.Errorf("ModuleVersion(%s) = %q, %v; want %q", path, got, ok, want)
		}
	}
	if _, ok := ModuleVersion(bi, "example.com/absent"); ok {
		t.Error("an absent module is reported as linked")
	}
	if _, ok := ModuleVersion(nil, "example.com/plain"); ok {
		t.Error("no build information reports a module as linked")
	}
}
