//go:build !unix

package shellout

import (
	"os"
	"os/exec"
)

func setProcessGroup(*exec.Cmd) {}

// killGroup can only kill the program itself where there are no process groups.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func signalOf(*os.ProcessState) string { return "" }
