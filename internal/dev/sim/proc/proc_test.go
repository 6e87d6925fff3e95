package proc

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestStopEndsOnlyTheMarkedProcess(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	pid := cmd.Process.Pid
	if !Alive(pid, "") || !Alive(pid, "sleep") {
		t.Fatalf("pid %d not alive", pid)
	}
	if Alive(pid, "not-this-process") {
		t.Error("alive under a marker its command line lacks")
	}
	if err := Stop(pid, "not-this-process", time.Second); err != nil || !Alive(pid, "sleep") {
		t.Fatalf("Stop with another marker: %v; the process must still run", err)
	}
	if err := Stop(pid, "sleep", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	<-done
	if Alive(pid, "") {
		t.Errorf("pid %d still alive after Stop", pid)
	}
	if Alive(-1, "") || Alive(os.Getpid(), "no such marker in the test binary's command line") {
		t.Error("Alive accepted a pid it must refuse")
	}
}
