package phrase

import (
	"fmt"
	"strings"
)

// Count words a number of things for people: "1 node", "2 nodes".
func Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Summary shortens a list for a one-line message: the first max items,
// then how many more.
func Summary(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + " " + more(len(items)-max)
}

// Clip keeps the first max items and, when it drops any, ends with one
// saying how many: for items too long to share a line the way Summary
// joins them.
func Clip(items []string, max int) []string {
	if len(items) <= max {
		return items
	}
	return append(items[:max:max], more(len(items)-max))
}

func more(n int) string { return fmt.Sprintf("and %d more", n) }
