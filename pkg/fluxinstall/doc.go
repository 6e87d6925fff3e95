// Package fluxinstall installs Flux as a pipeline that returns a Result:
// Build assembles the set (load.go, sync.go, transform.go, placeholders.go),
// Install refuses a foreign Flux (detect.go), validates every object before
// the first write (validate.go, schema.go), applies in stages with
// server-side apply (apply.go), waits with kstatus (wait.go, status.go) and
// reports the stage reached, what it wrote and the health (result.go), which
// output.go renders.
package fluxinstall
