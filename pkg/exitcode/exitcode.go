package exitcode

import (
	"context"
	"errors"
	"fmt"
)

// The exit-code contract. Scripts depend on these numbers: never renumber.
const (
	// OK: the command did its job and nothing failed (warnings allowed).
	OK = 0
	// Failed: the command ran, and at least one finding is at or above the
	// failure threshold (verify), or the change was applied but did not become
	// healthy in time (bootstrap), or placeholders remain (configure --check).
	Failed = 1
	// CouldNotCheck: nothing trustworthy could be done: bad flags, refused
	// input, no API access, an unknown profile, every check errored.
	CouldNotCheck = 2
	// Interrupted: the user pressed Ctrl-C (128 + SIGINT, as shells report it).
	Interrupted = 130
)

// Error carries an exit code with the error that caused it.
type Error struct {
	Code int
	Err  error
	// Silent errors have already been reported to the user; main prints nothing.
	Silent bool
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// WithCode attaches an exit code to err. A nil err stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *Error
	if errors.As(err, &ee) {
		return err
	}
	return &Error{Code: code, Err: err}
}

// Usage marks err as a could-not-check error (bad flags or input).
func Usage(format string, args ...any) error {
	return &Error{Code: CouldNotCheck, Err: fmt.Errorf(format, args...)}
}

// Silent returns an error that only sets the exit code: the command has
// already told the user everything (a verify report with failures, say).
func Silent(code int) error {
	if code == OK {
		return nil
	}
	return &Error{Code: code, Silent: true}
}

// Code maps an error to the process exit code. Errors without an explicit
// code are "could not check": an unexpected error never passes for a finding.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var ee *Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return CouldNotCheck
}

// IsSilent reports whether err must not be printed.
func IsSilent(err error) bool {
	var ee *Error
	return errors.As(err, &ee) && ee.Silent
}
