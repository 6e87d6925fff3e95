//go:build linux

package plugin

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// openPTY returns the terminal side of a new pseudo-terminal.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestColourOnlyOnATerminalWithoutNoColor(t *testing.T) {
	tty := openPTY(t)
	o := func(out any, format string) *VerifyOptions {
		var streams genericiooptions.IOStreams
		switch w := out.(type) {
		case *os.File:
			streams.Out = w
		case *bytes.Buffer:
			streams.Out = w
		}
		return &VerifyOptions{env: &Env{Streams: streams}, Output: format}
	}
	t.Setenv("NO_COLOR", "")
	if !o(tty, "text").color() {
		t.Error("no colour on a terminal")
	}
	if o(tty, "json").color() {
		t.Error("colour in JSON")
	}
	if o(&bytes.Buffer{}, "text").color() {
		t.Error("colour into a pipe or file")
	}
	t.Setenv("NO_COLOR", "1")
	if o(tty, "text").color() {
		t.Error("colour despite NO_COLOR")
	}
}
