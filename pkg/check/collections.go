package check

import "sort"

// set indexes items for membership tests.
func set(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// groupBy indexes items by key, keeping pointers into items and the
// items' order within each group.
func groupBy[T any](items []T, key func(*T) string) map[string][]*T {
	out := map[string][]*T{}
	for i := range items {
		k := key(&items[i])
		out[k] = append(out[k], &items[i])
	}
	return out
}
