package main

// The upgrade's requests, counted from the binary's own request log
// (-v=6: client-go logs each response with its verb and URL), so the bench
// shows the bar's other half: each Flux kind read once (in pages) and each
// object written at most once.

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var responseLine = regexp.MustCompile(`verb="([A-Z]+)" url="([^"]+)"`)

// requestKey is one kind of request on one resource.
type requestKey struct{ resource, what string }

// countRequests tallies the requests of a -v=6 log by resource (group
// and plural) and what they did: list, get, update, dry-run update,
// patch, create, delete, watch.
func countRequests(log string) map[requestKey]int {
	out := map[requestKey]int{}
	for _, m := range responseLine.FindAllStringSubmatch(log, -1) {
		u, err := url.Parse(m[2])
		if err != nil {
			continue
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		var group string
		switch {
		case len(parts) >= 3 && parts[0] == "apis":
			group, parts = parts[1], parts[3:]
		case len(parts) >= 2 && parts[0] == "api":
			parts = parts[2:]
		default:
			continue // discovery, version
		}
		if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
			parts = parts[2:]
		}
		if len(parts) == 0 {
			continue
		}
		resource := parts[0]
		if group != "" {
			resource += "." + group
		}
		named := len(parts) >= 2
		if len(parts) >= 3 {
			resource += "/" + parts[2]
		}
		what := strings.ToLower(m[1])
		switch {
		case m[1] == "GET" && u.Query().Get("watch") == "true":
			what = "watch"
		case m[1] == "GET" && !named:
			what = "list"
		case m[1] == "GET":
			what = "get"
		case m[1] == "PUT":
			what = "update"
		case m[1] == "POST":
			what = "create"
		}
		if u.Query().Get("dryRun") != "" {
			what = "dry-run " + what
		}
		out[requestKey{resource, what}]++
	}
	return out
}

// printRequests writes the counts of the Flux kinds' requests, one line a
// resource.
func printRequests(w io.Writer, counts map[requestKey]int) {
	byResource := map[string][]string{}
	for k, n := range counts {
		if !strings.Contains(k.resource, "toolkit.fluxcd.io") {
			continue
		}
		byResource[k.resource] = append(byResource[k.resource], fmt.Sprintf("%s %d", k.what, n))
	}
	var resources []string
	for r := range byResource {
		resources = append(resources, r)
	}
	sort.Strings(resources)
	for _, r := range resources {
		sort.Strings(byResource[r])
		fmt.Fprintf(w, "    %-44s %s\n", r, strings.Join(byResource[r], ", "))
	}
}
