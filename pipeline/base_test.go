package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/pipeline"
)

// A base that cannot be had is the plan's error, before anything is
// scanned: not an incomplete scan.
func TestNewFromOutsideAGitRepository(t *testing.T) {
	root := t.TempDir()
	c := config.Default(root)
	p := pipeline.Plan{Root: root, Config: c, Cache: pipeline.CacheOptions{Off: true},
		NewFrom: &pipeline.NewFrom{Rev: "main", RepoRoot: root}}
	r, err := pipeline.Run(context.Background(), p)
	var ie *pipeline.IncompleteError
	if r != nil || err == nil || !strings.Contains(err.Error(), "--new-from-rev: "+root+" is not in a git repository") || errors.As(err, &ie) {
		t.Errorf("report %v, error %v", r, err)
	}
}
