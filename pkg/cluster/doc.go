// Package cluster reads the cluster state verify judges, once per run:
// every resource type the selected checks need is listed concurrently and
// paginated, and each keeps its own outcome (ok, forbidden, absent, error).
package cluster
