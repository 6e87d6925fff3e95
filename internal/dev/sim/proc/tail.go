package proc

import (
	"os"
	"strings"
)

// Tail is the last n lines of a process's output, which is where it says
// why it failed: an error quotes them instead of the whole log.
func Tail(output string, n int) string {
	lines := strings.Split(strings.TrimSpace(output), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// LogTail is Tail of the log file at path, or why it could not be read.
func LogTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return Tail(string(b), n)
}
