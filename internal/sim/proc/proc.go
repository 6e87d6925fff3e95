package proc

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Alive reports whether pid runs (not a zombie) and, unless marker is
// empty, whether its command line mentions marker, which guards against a
// recycled pid.
func Alive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
		return false
	}
	if marker == "" {
		return true
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return bytes.Contains(cmdline, []byte(marker))
}

// Stop ends pid if it is Alive with marker: SIGTERM, then SIGKILL after
// grace; it returns once the process is gone.
func Stop(pid int, marker string, grace time.Duration) error {
	if !Alive(pid, marker) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !Alive(pid, marker) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for range 100 {
		if !Alive(pid, marker) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("process %d did not exit", pid)
}
