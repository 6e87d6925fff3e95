package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// ui prints the demo's own lines on stderr through the progress printer every
// command uses, plus the demo's section headers and echoed commands, bold
// only on a terminal without NO_COLOR.
type ui struct {
	*progress.Printer
	w     io.Writer
	color bool
}

func newUI() *ui {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &ui{Printer: progress.New(os.Stderr), w: os.Stderr, color: !noColor && term.IsTerminal(int(os.Stderr.Fd()))}
}

func (u *ui) paint(code, s string) string {
	if !u.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (u *ui) section(format string, a ...any) {
	fmt.Fprintf(u.w, "\n%s\n", u.paint("1;36", "━━ "+fmt.Sprintf(format, a...)))
}
func (u *ui) command(display string) {
	fmt.Fprintf(u.w, "%s\n", u.paint("1", "$ "+display))
}

// operator runs commands the way a person at the jump box would, in the
// fork's working copy, against the demo cluster, echoing each one first.
type operator struct {
	ui *ui
	// env is the environment of every command: the caller's, with KUBECONFIG
	// set to the demo cluster and the plugin's folder first on PATH.
	env []string
	dir string
	// plugin is how the tool is invoked: kubectl with the plugin on PATH.
	plugin []string
}

// run echoes and runs a command with its output on ours, and returns its
// exit code; err is set only when it could not run at all.
func (o *operator) run(ctx context.Context, argv ...string) (int, error) {
	o.ui.command(display(argv))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = o.dir, o.env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.WaitDelay = 5 * time.Second
	return exitCode(cmd.Run())
}

// runAll runs the commands in order, as run does, and stops at the first
// that fails.
func (o *operator) runAll(ctx context.Context, argvs ...[]string) error {
	for _, argv := range argvs {
		if code, err := o.run(ctx, argv...); err != nil || code != 0 {
			return cmdErr(display(argv), code, err)
		}
	}
	return nil
}

// quiet runs a command without echoing it and returns its stdout.
func (o *operator) quiet(ctx context.Context, argv ...string) ([]byte, int, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = o.dir, o.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code, err := exitCode(cmd.Run())
	if err != nil {
		return nil, code, err
	}
	if code != 0 && out.Len() == 0 {
		return nil, code, fmt.Errorf("%s: exit code %d: %s", display(argv), code, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), code, nil
}

// toolDiscard runs 'kubectl aksbaseline ARGS... > /dev/null': progress on
// stderr only, for a command whose stdout the screen has just shown.
func (o *operator) toolDiscard(ctx context.Context, args ...string) (int, error) {
	argv := append(append([]string{}, o.plugin...), args...)
	o.ui.command(display(argv) + " > /dev/null")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = o.dir, o.env
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.WaitDelay = 5 * time.Second
	return exitCode(cmd.Run())
}

// tool runs 'kubectl aksbaseline ARGS...'.
func (o *operator) tool(ctx context.Context, args ...string) (int, error) {
	return o.run(ctx, append(append([]string{}, o.plugin...), args...)...)
}

func (o *operator) toolQuiet(ctx context.Context, args ...string) ([]byte, int, error) {
	return o.quiet(ctx, append(append([]string{}, o.plugin...), args...)...)
}

func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() >= 0 {
		return ee.ExitCode(), nil
	}
	return -1, err
}

// display renders argv as a shell would need it typed.
func display(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\"'$`\\|&;<>()*?[]{}~!#") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}
