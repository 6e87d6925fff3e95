// Command measure runs one command with its output discarded and prints
// "wall-ns peak-RSS-KiB exit-code": the verify benchmark measures each
// command through it.
//
// It is its own small program because Linux charges a process with the
// peak RSS of the address space it was exec'd from, and Go starts children
// with vfork, which lends the parent's: the benchmark links the control
// plane's clients and holds the seeded pods (over 60 MiB before main), and
// every command run from it reported at least that. Run from this process,
// a few MiB, each reports its own.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	fmt.Println(wall.Nanoseconds(), rss, code)
}
