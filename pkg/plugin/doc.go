// Package plugin holds the cobra commands of kubectl-aksbaseline: flags,
// one Options struct per command (Complete, Validate, Run) and the wiring to
// the packages that do the work.
package plugin
