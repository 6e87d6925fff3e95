package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"plain error is could-not-check", errors.New("boom"), CouldNotCheck},
		{"explicit", WithCode(Failed, errors.New("unhealthy")), Failed},
		{"wrapped explicit", fmt.Errorf("ctx: %w", WithCode(Failed, errors.New("x"))), Failed},
		{"usage", Usage("bad flag %q", "--x"), CouldNotCheck},
		{"cancelled", fmt.Errorf("apply: %w", context.Canceled), Interrupted},
		{"silent", Silent(Failed), Failed},
	}
	for _, c := range cases {
		if got := Code(c.err); got != c.want {
			t.Errorf("%s: Code() = %d, want %d", c.name, got, c.want)
		}
	}
	if Silent(OK) != nil {
		t.Error("Silent(OK) must be nil")
	}
	if !IsSilent(Silent(Failed)) || IsSilent(errors.New("x")) {
		t.Error("IsSilent misclassifies")
	}
	if WithCode(Failed, nil) != nil {
		t.Error("WithCode(nil) must stay nil")
	}
}
