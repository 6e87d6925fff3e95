package exitcode

import (
	"fmt"
	"io"
	"sync"
)

// Output watches a command's standard output: a command whose data could
// not be written (a full disk, a closed pipe) did not do its job, whatever
// it found, and many writes (fmt.Fprintf of a text view) drop their error.
type Output struct {
	w    io.Writer
	mu   sync.Mutex
	err  error
	name string
}

// WatchOutput wraps w, the stream called name ("standard output").
func WatchOutput(w io.Writer, name string) *Output { return &Output{w: w, name: name} }

func (o *Output) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		o.mu.Lock()
		if o.err == nil {
			o.err = err
		}
		o.mu.Unlock()
	}
	return n, err
}

// Settle returns the process's exit code: code, unless a write failed
// and code says less than "could not check"; then also the error to print.
func (o *Output) Settle(code int) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil || code >= CouldNotCheck {
		return code, nil
	}
	return CouldNotCheck, fmt.Errorf("writing %s: %w", o.name, o.err)
}

// Fd is the watched file's descriptor, so that a command can still ask
// whether its output is a terminal (colours); not a file, not a terminal.
func (o *Output) Fd() uintptr {
	if f, ok := o.w.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}
