package scanners

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/finding"
)

// rootless keeps the scanned root's absolute path out of an error's message
// while keeping the error itself for errors.Is and errors.As.
type rootless struct {
	err  error
	root string
}

func (e rootless) Error() string { return UnrootText(e.root, e.err.Error()) }
func (e rootless) Unwrap() error { return e.err }

// UnrootText rewrites paths under root in s (a tool's stderr, an excerpt of
// its output) relative to root: reports show root-relative paths only.
func UnrootText(root, s string) string {
	if root == "" || root == string(filepath.Separator) {
		return s
	}
	s = strings.ReplaceAll(s, root+string(filepath.Separator), "")
	return strings.ReplaceAll(s, root, ".")
}

// Unroot applies UnrootText to a scanner's notifications and error. Run
// does it for every scanner; adapters that build messages from a tool's
// output call it too, so that their own results are clean when used alone.
func Unroot(root string, res *finding.Result, err error) (*finding.Result, error) {
	if res != nil {
		for i := range res.Notifications {
			res.Notifications[i].Message = UnrootText(root, res.Notifications[i].Message)
		}
	}
	if err != nil {
		var skip *SkipError
		if !errors.As(err, &skip) {
			err = rootless{err, root}
		}
	}
	return res, err
}
