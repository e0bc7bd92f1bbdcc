package pipeline

import (
	"fmt"
	"sync"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
)

// CacheOptions choose the result cache the run stage answers from.
type CacheOptions struct {
	Off bool   // --no-cache
	Dir string // "" is $SCANGATE_CACHE_DIR, else the user cache directory
	// Build replaces the running executable's identity in keys (tests).
	Build string
	// Display names the cache directory in warnings.
	Display func(dir string) string
}

// cacheNotes collects the cache's warnings (an unwritable directory, a
// corrupt entry), which scanners report concurrently; they become problems
// of the report.
type cacheNotes struct {
	mu    sync.Mutex
	notes []string
}

func (n *cacheNotes) add(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = append(n.notes, fmt.Sprintf(format, args...))
}

func (n *cacheNotes) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.notes...)
}

// openCache opens the result cache for req (nil when off).
func openCache(req *scanner.Request, o CacheOptions, notes *cacheNotes) {
	if o.Off {
		return
	}
	req.Cache = resultcache.Open(resultcache.Options{Dir: o.Dir, Root: req.Root, Build: o.Build, Display: o.Display, Warnf: notes.add})
}
