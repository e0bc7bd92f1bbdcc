//go:build unix

package shellout

import (
	"os/exec"
	"syscall"
)

func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		// The child leads its own group (Setpgid), so -pid is that group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
