// Command treerss samples the memory of every descendant of a process until
// that process exits, and prints the largest sum seen, in KiB, of their
// proportional set sizes (PSS, /proc/N/smaps_rollup; RSS where unreadable).
//
//	treerss [-every 50ms] PID
//
// GNU time's "Maximum resident set size" is the peak of the largest single
// process in the tree (Linux keeps the max, not the sum, over waited-for
// children), which under-reports a tool whose parent and child are large at
// the same time. Summing RSS instead would count twice the pages of a binary
// that re-executes itself (scangate's govulncheck child shares the parent's
// text); PSS splits shared pages between their users. bench/deps.sh reports
// both figures. Linux only (/proc).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	every := flag.Duration("every", 50*time.Millisecond, "sampling interval")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: treerss [-every D] PID")
		os.Exit(2)
	}
	root, err := strconv.Atoi(flag.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "treerss: bad pid %q: %v\n", flag.Arg(0), err)
		os.Exit(2)
	}
	page := int64(os.Getpagesize()) / 1024
	var peak int64
	for {
		procs := snapshot()
		self, ok := procs[root]
		if !ok || self.state == 'Z' {
			break
		}
		if sum := descendantsPSS(procs, root, page); sum > peak {
			peak = sum
		}
		time.Sleep(*every)
	}
	fmt.Println(peak)
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

// descendantsPSS sums the PSS (KiB) of root's descendants.
func descendantsPSS(procs map[int]proc, root int, page int64) int64 {
	children := map[int][]int{}
	for pid, p := range procs {
		children[p.ppid] = append(children[p.ppid], pid)
	}
	var sum int64
	stack := append([]int(nil), children[root]...)
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		sum += pss(pid, procs[pid].rss*page)
		stack = append(stack, children[pid]...)
	}
	return sum
}

// pss reads the Pss line of /proc/PID/smaps_rollup, or returns rss.
func pss(pid int, rss int64) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return rss
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "Pss:" {
			if v, err := strconv.ParseInt(string(f[1]), 10, 64); err == nil {
				return v
			}
		}
	}
	return rss
}
