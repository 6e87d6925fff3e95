package verify

import (
	"os"
	"runtime/debug"
)

// LimitHeap sets the soft memory limit a large cluster's read wants, unless
// GOMEMLIMIT says otherwise. Thousands of nodes and 50,000 pods arrive in
// pages whose items are garbage as soon as they are reduced: the limit
// makes the collector reclaim them before the heap doubles. Measured at
// 5,000 nodes and 50,000 pods (make bench), the live heap ends near 25 MiB
// (the slim pods and their names 15 MiB, the nodes 1.5 MiB) and about 43 MiB
// of the RSS is the binary's own pages: without a limit the peak RSS is
// 98 MiB; 56 MiB gives 93 MiB for no measurable CPU, 52 MiB 90 MiB for a
// tenth more and 48 MiB 86 MiB for a fifth more. The verify command calls
// it; bootstrap, which runs the engine on a few Flux objects, does not.
func LimitHeap() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(56 << 20)
	}
}
