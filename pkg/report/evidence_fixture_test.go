package report

import (
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/check"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/controls"
)

// hostile is markup an object name or message could carry from the
// cluster; every renderer must show it as text.
const hostile = `<script>alert(1)</script><b>x</b>`

// rich is the fixture of the assessor views: a waived finding, a partly
// waived one, drift against a baseline, controls attached, and cluster
// data carrying HTML.
func rich() []*Report {
	rs := results()
	exp, _ := time.Parse(check.DateLayout, "2027-03-31")
	rs = append(rs,
		check.Result{ID: "nodes-cordoned", Category: "nodes", Severity: check.Warning, Title: check.Lookup("nodes-cordoned").Title,
			Status: check.Waived, Message: "1 node cordoned: aks-npuser01-0", Objects: []string{"Node/aks-npuser01-0"},
			Waiver: &check.Waiver{Check: "nodes-cordoned", Reason: "node drained for a kernel investigation", Ticket: "CHG-1042", ApprovedBy: "jane.doe@contoso.com", Expires: check.Date{Time: exp}}},
		check.Result{ID: "images-placeholders", Category: "images", Severity: check.Critical, Title: check.Lookup("images-placeholders").Title,
			Status: check.Fail, Message: "1 pod still uses a placeholder image: " + hostile, Objects: []string{"Pod/a0005-i/" + hostile},
			Remediation: check.Lookup("images-placeholders").Remediation},
	)
	for i := range rs {
		switch rs[i].ID {
		case "images-placeholders":
			rs[i].Drift = DriftNew
		case "secrets-tls-secret", "nodes-system-taint", "nodes-cordoned", "policies-templates":
			rs[i].Drift = DriftUnchanged
		case "flux-sync-ready":
			rs[i].Drift = DriftResolved
		}
	}
	controls.Attach(rs)
	r := New("aks-prod", "https://aks-prod-1a2b3c4d.privatelink.centralus.azmk8s.io:443", "regulated",
		time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), 1234*time.Millisecond, rs)
	r.ClusterID = "6f1d2c3b-0a4e-4b8f-9c7d-112233445566"
	r.Drift = &Drift{
		Baseline: "previous.json", BaselineTime: time.Date(2026, 11, 18, 18, 0, 0, 0, time.UTC),
		New:       []Finding{{Check: "images-placeholders", Object: "Pod/a0005-i/" + hostile, Status: check.Fail}},
		Unchanged: []Finding{{Check: "nodes-system-taint", Status: check.Warn}, {Check: "secrets-tls-secret", Object: "Secret/ingress-nginx/ingress-tls-csi", Status: check.Fail}},
		Resolved:  []Finding{{Check: "flux-sync-ready", Object: "Kustomization/flux-system/flux-system", Status: check.Fail}},
	}
	return []*Report{r}
}
