// Command treerss samples the memory of every descendant of a process until
// that process exits, and prints the largest sums seen, in KiB, of their
// proportional set sizes (PSS, /proc/N/smaps_rollup; RSS where unreadable)
// and of their anonymous memory (the heap and stacks; not the pages of the
// binaries, which are clean page cache the kernel can drop and refetch).
//
//	treerss [-every 50ms] PID
//
// GNU time's "Maximum resident set size" is the peak of the largest single
// process in the tree (Linux keeps the max, not the sum, over waited-for
// children), which under-reports a tool whose parent and child are large at
// the same time. Summing RSS instead would count twice the pages of a binary
// that re-executes itself (scangate's govulncheck child shares the parent's
// text); PSS splits shared pages between their users. bench/deps.sh reports
// both figures. Output: "PSS ANON" (each its own peak). Linux only (/proc).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/scangate/scangate/bench/internal/benchcli"
)

func main() {
	every := flag.Duration("every", 50*time.Millisecond, "sampling interval")
	arg := benchcli.Arg("treerss [-every D] PID")
	root, err := strconv.Atoi(arg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "treerss: bad pid %q: %v\n", arg, err)
		os.Exit(2)
	}
	page := int64(os.Getpagesize()) / 1024
	var peakPSS, peakAnon int64
	for {
		procs := snapshot()
		self, ok := procs[root]
		if !ok || self.state == 'Z' {
			break
		}
		pss, anon := descendantsMemory(procs, root, page)
		peakPSS, peakAnon = max(peakPSS, pss), max(peakAnon, anon)
		time.Sleep(*every)
	}
	fmt.Println(peakPSS, peakAnon)
}

type proc struct {
	ppid  int
	rss   int64 // pages
	state byte
}

// snapshot reads /proc/N/stat of every process; processes that exit
// meanwhile are simply missing.
func snapshot() map[int]proc {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	procs := make(map[int]proc, len(dirs))
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		// The command name may hold spaces and parentheses: fields start
		// after the last ')'. Then: state ppid ... rss is field 24 overall.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(string(f[1]))
		rss, _ := strconv.ParseInt(string(f[21]), 10, 64)
		procs[pid] = proc{ppid: ppid, rss: rss, state: f[0][0]}
	}
	return procs
}

// descendantsMemory sums the PSS and the anonymous memory (KiB) of root's
// descendants.
func descendantsMemory(procs map[int]proc, root int, page int64) (pss, anon int64) {
	children := map[int][]int{}
	for pid, p := range procs {
		children[p.ppid] = append(children[p.ppid], pid)
	}
	stack := append([]int(nil), children[root]...)
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p, a := rollup(pid, procs[pid].rss*page)
		pss, anon = pss+p, anon+a
		stack = append(stack, children[pid]...)
	}
	return pss, anon
}

// rollup reads the Pss and Anonymous lines of /proc/PID/smaps_rollup; when
// that is unreadable both are rss.
func rollup(pid int, rss int64) (pss, anon int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return rss, rss
	}
	pss, anon = rss, rss
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseInt(string(f[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(f[0]) {
		case "Pss:":
			pss = v
		case "Anonymous:":
			anon = v
		}
	}
	return pss, anon
}
