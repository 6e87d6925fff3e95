// Package proc checks and stops the processes the simulation starts by
// process ID, guarding against an ID the system has since given to another
// process, and quotes the end of their output when they fail.
package proc
