package plugintest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Result is what a finished program left behind.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// String shows everything a failure message needs to explain the run.
func (r Result) String() string {
	return fmt.Sprintf("exit code %d\n--- stdout\n%s\n--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// Cmd is one run of a program. It gets a clean environment, the test
// process's PATH and an empty HOME, so no kubeconfig, cache or krew index of
// the machine the tests run on changes what the program does.
type Cmd struct {
	Name string // program, as for exec.Command
	Args []string
	Dir  string // working directory; the test process's when empty
	// Env is added to the clean environment. A PATH or HOME here replaces
	// the default one.
	Env []string
}

// Command prepares c for tests that must talk to the program while it runs
// (read its stderr as it goes, signal it).
func Command(t testing.TB, c Cmd) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(c.Name, c.Args...)
	cmd.Dir = c.Dir
	if !hasKey(c.Env, "PATH") {
		cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
	}
	if !hasKey(c.Env, "HOME") {
		cmd.Env = append(cmd.Env, "HOME="+t.TempDir())
	}
	cmd.Env = append(cmd.Env, c.Env...)
	return cmd
}

func hasKey(env []string, key string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

// Run runs c to the end. A non-zero exit is a result for the test to judge;
// only a program that cannot start at all fails t.
func Run(t testing.TB, c Cmd) Result {
	t.Helper()
	cmd := Command(t, c)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code, ran := exitCode(err)
	if !ran {
		t.Fatalf("running %s %s: %v", c.Name, strings.Join(c.Args, " "), err)
	}
	return Result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

// ExitCode turns the error of a finished command into its exit code, failing
// t when the error says the command never ran.
func ExitCode(t testing.TB, err error) int {
	t.Helper()
	code, ran := exitCode(err)
	if !ran {
		t.Fatalf("running the program: %v", err)
	}
	return code
}

func exitCode(err error) (code int, ran bool) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &ee):
		return ee.ExitCode(), true
	}
	return -1, false
}
