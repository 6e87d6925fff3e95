// Package golden compares test output with the files under testdata, and rewrites them when asked.
package golden
