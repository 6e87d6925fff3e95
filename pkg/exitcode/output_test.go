package exitcode

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestOutputFailureIsCouldNotCheck(t *testing.T) {
	for _, code := range []int{OK, Failed} {
		o := WatchOutput(failing{}, "standard output")
		fmt.Fprintln(o, "report") // as text views do, the error dropped
		got, err := o.Settle(code)
		if got != CouldNotCheck || err == nil || err.Error() != "writing standard output: no space left on device" {
			t.Errorf("exit %d after a failed write: got %d, %v", code, got, err)
		}
	}
	o := WatchOutput(failing{}, "standard output")
	fmt.Fprintln(o, "x")
	if got, err := o.Settle(Interrupted); got != Interrupted || err != nil {
		t.Errorf("an interrupt keeps its code: %d, %v", got, err)
	}
	o = WatchOutput(io.Discard, "standard output")
	fmt.Fprintln(o, "x")
	if got, err := o.Settle(Failed); got != Failed || err != nil {
		t.Errorf("a clean write changes nothing: %d, %v", got, err)
	}
}
