package kwok_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/kwok"
	"github.com/aksbaseline/kubectl-aksbaseline/internal/dev/sim/proc"
)

type helperReport struct {
	Workdir    string
	Components []kwok.Component
}

// TestSignalHelper is not a test: TestInterruptDeletesCluster runs it in a
// child process that it then interrupts.
func TestSignalHelper(t *testing.T) {
	if os.Getenv("KWOKCLUSTER_SIGNAL_HELPER") != "1" {
		t.Skip("helper process for TestInterruptDeletesCluster")
	}
	c, err := kwok.Create(context.Background(), kwok.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.DeleteOnSignal()
	comps, err := c.Components()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(helperReport{Workdir: c.Workdir, Components: comps})
	os.Stdout.Write(append(b, '\n'))
	select {} // until the signal
}

// An interrupted test run deletes its cluster before it exits.
func TestInterruptDeletesCluster(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "KWOKCLUSTER_SIGNAL_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var rep helperReport
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if json.Unmarshal(sc.Bytes(), &rep) == nil && rep.Workdir != "" {
			break
		}
	}
	if rep.Workdir == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("helper process reported no cluster")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = bufio.NewReader(out).WriteTo(os.Stderr) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("helper process did not exit after SIGTERM")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("helper process ended with %v, want exit status 130", err)
	}
	for _, comp := range rep.Components {
		if proc.Alive(comp.PID, "") {
			t.Errorf("component %s (pid %d) still running", comp.Name, comp.PID)
		}
		for _, p := range comp.Ports {
			if kwok.PortOpen(p) {
				t.Errorf("component %s: port %d still open", comp.Name, p)
			}
		}
	}
	if _, err := os.Stat(rep.Workdir); !os.IsNotExist(err) {
		t.Errorf("workdir %s still exists (%v)", rep.Workdir, err)
	}
}
