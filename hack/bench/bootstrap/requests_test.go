package main

import "testing"

func TestCountRequests(t *testing.T) {
	log := `I1202 05:20:00.1 1 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:1/apis/source.toolkit.fluxcd.io/v1beta1/gitrepositories?limit=500" status="200 OK" milliseconds=3
I1202 05:20:00.2 1 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:1/apis/source.toolkit.fluxcd.io/v1beta1/gitrepositories?continue=x&limit=500" status="200 OK" milliseconds=3
I1202 05:20:00.3 1 round_trippers.go:632] "Response" verb="PUT" url="https://127.0.0.1:1/apis/source.toolkit.fluxcd.io/v1/namespaces/team-01/gitrepositories/app-001?fieldManager=x" status="200 OK" milliseconds=3
I1202 05:20:00.4 1 round_trippers.go:632] "Response" verb="PUT" url="https://127.0.0.1:1/apis/source.toolkit.fluxcd.io/v1/namespaces/team-01/gitrepositories/app-001?dryRun=All" status="200 OK" milliseconds=3
I1202 05:20:00.5 1 round_trippers.go:632] "Response" verb="PATCH" url="https://127.0.0.1:1/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io/status" status="200 OK" milliseconds=3
I1202 05:20:00.6 1 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:1/api/v1/namespaces/flux-system" status="200 OK" milliseconds=3
I1202 05:20:00.7 1 round_trippers.go:632] "Response" verb="GET" url="https://127.0.0.1:1/apis/source.toolkit.fluxcd.io/v1" status="200 OK" milliseconds=3`
	got := countRequests(log)
	want := map[requestKey]int{
		{"gitrepositories.source.toolkit.fluxcd.io", "list"}:               2,
		{"gitrepositories.source.toolkit.fluxcd.io", "update"}:             1,
		{"gitrepositories.source.toolkit.fluxcd.io", "dry-run update"}:     1,
		{"customresourcedefinitions.apiextensions.k8s.io/status", "patch"}: 1,
		{"namespaces", "get"}: 1,
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%v: %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}
