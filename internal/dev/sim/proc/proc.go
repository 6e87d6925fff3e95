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
	// Just after execve returns to the parent, the kernel shows an empty
	// command line until the new program's arguments are mapped (seen as a
	// flaky "not alive" right after exec.Cmd.Start): a live process always
	// has one, so an empty one is read again.
	for range 200 {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			return false
		}
		if len(cmdline) > 0 {
			return bytes.Contains(cmdline, []byte(marker))
		}
		time.Sleep(time.Millisecond)
	}
	return false
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
