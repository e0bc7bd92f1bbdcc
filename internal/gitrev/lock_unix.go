//go:build unix

package gitrev

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockedDir takes stable/<commit>.lock and returns stable/<commit>, empty.
// ok is false when the lock is held by another scan or stable cannot be
// used (not a directory of ours).
func lockedDir(stable, commit string) (dir string, release func(), ok bool) {
	if err := os.MkdirAll(stable, 0o700); err != nil {
		return "", nil, false
	}
	// Another user's directory (a shared /tmp) could be swapped under us.
	fi, err := os.Lstat(stable)
	if err != nil || !fi.IsDir() {
		return "", nil, false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return "", nil, false
	}
	f, err := os.OpenFile(filepath.Join(stable, commit+".lock"), os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return "", nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return "", nil, false
	}
	dir = filepath.Join(stable, commit)
	// Left behind by a scan that was killed: ours now.
	if err := os.RemoveAll(dir); err != nil {
		f.Close()
		return "", nil, false
	}
	return dir, func() {
		os.RemoveAll(dir)
		f.Close() // releases the lock; the small lock file stays, for the next scan
	}, true
}
