package report

import (
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// hostile is markup an object name or message could carry from the
// cluster; every renderer must show it as text.
const hostile = `<script>alert(1)</script><b>x</b>`

// rich is the fixture of the assessor views: a waived finding, a partly
// waived one, drift against a baseline, controls attached, and cluster
// data carrying HTML.
func rich() []*result.Report {
	rs := results()
	exp, _ := time.Parse(result.DateLayout, "2027-03-31")
	rs = append(rs,
		result.Result{ID: "nodes-cordoned", Category: "nodes", Severity: result.Warning, Title: check.Lookup("nodes-cordoned").Title,
			Status: result.Waived, Message: "1 node cordoned: aks-npuser01-0", Objects: []string{"Node/aks-npuser01-0"},
			Waiver: &result.Waiver{Check: "nodes-cordoned", Reason: "node drained for a kernel investigation", Ticket: "CHG-1042", ApprovedBy: "jane.doe@contoso.com", Expires: result.Date{Time: exp}}},
		result.Result{ID: "images-placeholders", Category: "images", Severity: result.Critical, Title: check.Lookup("images-placeholders").Title,
			Status: result.Fail, Message: "1 pod still uses a placeholder image: " + hostile, Objects: []string{"Pod/a0005-i/" + hostile},
			Remediation: check.Lookup("images-placeholders").Remediation},
	)
	for i := range rs {
		switch rs[i].ID {
		case "images-placeholders":
			rs[i].Drift = result.DriftNew
		case "secrets-tls-secret", "nodes-system-taint", "nodes-cordoned", "policies-templates":
			rs[i].Drift = result.DriftUnchanged
		case "flux-sync-ready":
			rs[i].Drift = result.DriftResolved
		}
	}
	controls.Attach(rs)
	r := result.New("aks-prod", "https://aks-prod-1a2b3c4d.privatelink.centralus.azmk8s.io:443", "regulated",
		time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), 1234*time.Millisecond, rs)
	r.ClusterID = "6f1d2c3b-0a4e-4b8f-9c7d-112233445566"
	expired, _ := time.Parse(result.DateLayout, "2026-10-01")
	r.Warnings = []result.RunWarning{
		{Kind: "expired", Message: "waiver nodes-ready (waivers.yaml:4) expired on 2026-10-01 and no longer covers anything",
			Waiver: &result.Waiver{Check: "nodes-ready", Reason: "kernel rollout", Ticket: "CHG-0900", Expires: result.Date{Time: expired}}},
		{Kind: "stale", Message: "waiver flux-suspended (waivers.yaml:12) is stale: it covered nothing in this run",
			Waiver: &result.Waiver{Check: "flux-suspended", Reason: "paused for a migration", Expires: result.Date{Time: exp}}},
	}
	r.Drift = &result.Drift{
		Baseline: "previous.json", BaselineTime: time.Date(2026, 11, 18, 18, 0, 0, 0, time.UTC),
		New:       []result.DriftFinding{{Check: "images-placeholders", Object: "Pod/a0005-i/" + hostile, Status: result.Fail}},
		Unchanged: []result.DriftFinding{{Check: "nodes-system-taint", Status: result.Warn}, {Check: "secrets-tls-secret", Object: "Secret/ingress-nginx/ingress-tls-csi", Status: result.Fail}},
		Resolved:  []result.DriftFinding{{Check: "flux-sync-ready", Object: "Kustomization/flux-system/flux-system", Status: result.Fail}},
	}
	return []*result.Report{r}
}
