// Package phrase words counts and lists for people ("1 node", "a, b and 3
// more"), so that checks, reports and progress lines speak the same way.
package phrase
