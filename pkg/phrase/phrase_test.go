package phrase

import (
	"slices"
	"testing"
)

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 nodes", 1: "1 node", 2: "2 nodes"} {
		if got := Count(n, "node", "nodes"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSummaryAndClip(t *testing.T) {
	items := []string{"a", "b", "c", "d"}
	if got := Summary(items, 4); got != "a, b, c, d" {
		t.Errorf("Summary of all = %q", got)
	}
	if got := Summary(items, 2); got != "a, b and 2 more" {
		t.Errorf("Summary(2) = %q", got)
	}
	if got := Clip(items, 4); !slices.Equal(got, items) {
		t.Errorf("Clip of all = %q", got)
	}
	got := Clip(items, 2)
	if want := []string{"a", "b", "and 2 more"}; !slices.Equal(got, want) {
		t.Errorf("Clip(2) = %q, want %q", got, want)
	}
	if items[2] != "c" {
		t.Errorf("Clip wrote into its argument: %q", items)
	}
}
