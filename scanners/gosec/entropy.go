package gosec

import (
	"fmt"
	"sync"

	securego "github.com/securego/gosec/v2"
)

// gosec v2.30.0 caches G101's entropy verdict for a string in its
// process-wide GlobalCache under the string alone, not the thresholds: a
// scan with other thresholds than an earlier one in the same process would
// be answered with the earlier verdicts. A fresh cache is started when the
// thresholds change. scangate scans with one configuration per process, so
// two gosec scans with different thresholds never run at once.
var entropy struct {
	sync.Mutex
	last string
	seen bool
}

func freshEntropyCache(ruleConfig map[string]any) {
	g101, _ := ruleConfig["G101"].(map[string]any)
	key := fmt.Sprintf("%v\x00%v", g101["entropy_threshold"], g101["per_char_threshold"])
	entropy.Lock()
	defer entropy.Unlock()
	if entropy.seen && key != entropy.last {
		securego.GlobalCache = securego.NewLRUCache[any, any](1 << 16)
	}
	entropy.last, entropy.seen = key, true
}
