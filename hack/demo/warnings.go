package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// byDesign are the warnings verify gives on the healthy simulated
// reference cluster, and why each is there; the README's demo section
// names each (a test holds them together).
var byDesign = map[string]string{
	"nodes-system-taint":       "the reference leaves the system pool npsystem untainted, and the regulated profile accepts it",
	"network-deny-all":         "like the reference, the fork leaves cluster-baseline-settings/networkpolicy-denyall.yaml out of its kustomization.yaml, and the regulated profile does not require it",
	"security-agents":          "dummy-av and dummy-fim are the reference's busybox stand-ins, not anti-malware or file integrity products",
	"access-credential-plugin": "the local cluster's kubeconfig signs in with a client certificate, not through Entra ID's kubelogin",
}

// explainWarnings says why each warning of the green run is there, and
// stops the demo on one nobody explained: the screen and the README must
// say the same.
func explainWarnings(ctx context.Context, u *ui, op *operator) error {
	out, _, err := op.toolQuiet(ctx, "verify", "-o", "json")
	if err != nil {
		return err
	}
	var rep result.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		return fmt.Errorf("reading verify -o json: %w", err)
	}
	var ids []string
	for _, r := range rep.Results {
		if r.Status == result.Warn {
			ids = append(ids, r.ID)
		}
	}
	sort.Strings(ids)
	var unexplained []string
	for _, id := range ids {
		if why, ok := byDesign[id]; ok {
			u.Waitingf("%s warns by design: %s", id, why)
		} else {
			unexplained = append(unexplained, id)
		}
	}
	if len(unexplained) > 0 {
		return fmt.Errorf("verify warned where the demo expects no warning: %s", strings.Join(unexplained, ", "))
	}
	if missing := len(byDesign) - len(ids); missing > 0 {
		var gone []string
		for id := range byDesign {
			if !slices.Contains(ids, id) {
				gone = append(gone, id)
			}
		}
		sort.Strings(gone)
		return fmt.Errorf("the warnings by design %s did not appear: the demo's explanation is out of date", strings.Join(gone, ", "))
	}
	return nil
}
