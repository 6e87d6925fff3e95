// Package cluster reads the cluster state verify judges, once per run: one
// descriptor per resource type (types.go) says how it is read and what each
// item is reduced to, every type the selected checks need is read
// concurrently and paginated, and each keeps its own outcome (ok,
// forbidden, absent, error).
package cluster
