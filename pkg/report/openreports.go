package report

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/output"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("openreports", 60, func(w io.Writer, reports []*result.Report, o Options) error {
		return writeOpenReports(w, reports, o.OpenReports)
	})
}

// The one object verify writes into a cluster: a ClusterReport of this
// name, whose results come from this source. One bounded object per
// cluster, never one per resource: in-cluster scanners that wrote a report
// per namespace or per pod filled etcd and took API servers down.
const (
	OpenReportsName   = "aksbaseline"
	OpenReportsSource = "kubectl-aksbaseline"
)

// Bounds that keep the ClusterReport far below etcd's 1.5 MiB request limit
// whatever the cluster holds: a result names at most MaxResources objects
// (the count of the rest is in its properties) and no text grows without
// limit. TestOpenReportsWorstCase holds every check failing at the bounds
// under MaxOpenReportBytes.
const (
	MaxResources       = 10
	maxMessageBytes    = 1024
	maxPropertyBytes   = 512
	MaxOpenReportBytes = 512 << 10
)

// The annotations that carry what OpenReports has no field for; status
// reads them back.
const (
	AnnotationVerdict   = "aksbaseline.io/verdict"
	AnnotationStartTime = "aksbaseline.io/start-time"
	AnnotationInterval  = "aksbaseline.io/interval"
	AnnotationProfile   = "aksbaseline.io/profile"
	AnnotationClusterID = "aksbaseline.io/cluster-id"
	AnnotationContext   = "aksbaseline.io/context"
	AnnotationVersion   = "aksbaseline.io/tool-version"
	// LabelManagedBy marks the object as this tool's.
	LabelManagedBy = "app.kubernetes.io/managed-by"
)

// The properties of a result (OpenReports' string map).
const (
	PropertyTitle            = "title"
	PropertyControls         = "pci-dss"
	PropertyRemediation      = "remediation"
	PropertyDrift            = "drift"
	PropertyOmitted          = "omitted-resources"
	PropertySubjects         = "subjects"
	PropertyWaiverReason     = "waiver-reason"
	PropertyWaiverTicket     = "waiver-ticket"
	PropertyWaiverApprovedBy = "waiver-approved-by"
	PropertyWaiverExpires    = "waiver-expires"
	PropertyWaiverObjects    = "waiver-objects"
)

// OpenReportsOptions says what a ClusterReport carries besides a report.
type OpenReportsOptions struct {
	// Verdicts are the run's verdicts, one per report ("passed", "failed").
	Verdicts []string
	// Interval is how often the in-cluster job runs (status flags a report
	// older than twice it); zero leaves it out.
	Interval time.Duration
	// Version is this tool's version.
	Version string
}

// Severities map onto OpenReports' five: a critical check fails the run, a
// warning-severity check only ever warns. A severity without a row maps to
// "high", never to less: a new severity must not read as harmless.
var openReportsSeverity = map[result.Severity]orv1alpha1.ResultSeverity{
	result.Critical: "critical",
	result.Warning:  "medium",
}

// OpenReportsSeverity is the OpenReports severity of s.
func OpenReportsSeverity(s result.Severity) orv1alpha1.ResultSeverity {
	if v, ok := openReportsSeverity[s]; ok {
		return v
	}
	return "high"
}

// openReportsResult maps a status; waived is skip, with the waiver in the
// properties (OpenReports has no waived result).
func openReportsResult(s result.Status) orv1alpha1.Result {
	switch s {
	case result.Pass, result.Fail, result.Warn, result.Skip, result.Error:
		return orv1alpha1.Result(s)
	case result.Waived:
		return "skip"
	}
	// An unknown status never reads as a pass.
	return "error"
}

// ClusterReport converts a report into the OpenReports ClusterReport
// verify writes, verdict being the run's verdict on the cluster.
func ClusterReport(r *result.Report, verdict string, o OpenReportsOptions) *orv1alpha1.ClusterReport {
	cr := &orv1alpha1.ClusterReport{
		TypeMeta: metav1.TypeMeta{APIVersion: orv1alpha1.SchemeGroupVersion.String(), Kind: "ClusterReport"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   OpenReportsName,
			Labels: map[string]string{LabelManagedBy: OpenReportsSource},
			Annotations: map[string]string{
				AnnotationVerdict:   verdict,
				AnnotationStartTime: r.StartTime.UTC().Format(time.RFC3339),
				AnnotationProfile:   clip(r.Profile, maxPropertyBytes),
			},
		},
		Source:  OpenReportsSource,
		Results: make([]orv1alpha1.ReportResult, 0, len(r.Results)),
	}
	a := cr.Annotations
	if o.Interval > 0 {
		a[AnnotationInterval] = o.Interval.String()
	}
	if r.ClusterID != "" {
		a[AnnotationClusterID] = clip(r.ClusterID, maxPropertyBytes)
	}
	if r.Context != "" {
		a[AnnotationContext] = clip(r.Context, maxPropertyBytes)
	}
	if o.Version != "" {
		a[AnnotationVersion] = clip(o.Version, maxPropertyBytes)
	}
	ts := metav1.Timestamp{Seconds: r.StartTime.Unix()}
	for _, res := range r.Results {
		out := openReportsOne(res, ts)
		cr.Results = append(cr.Results, out)
		switch out.Result {
		case "pass":
			cr.Summary.Pass++
		case "fail":
			cr.Summary.Fail++
		case "warn":
			cr.Summary.Warn++
		case "skip":
			cr.Summary.Skip++
		default:
			cr.Summary.Error++
		}
	}
	return cr
}

func openReportsOne(r result.Result, ts metav1.Timestamp) orv1alpha1.ReportResult {
	p := map[string]string{}
	put := func(k, v string) {
		if v != "" {
			p[k] = clip(v, maxPropertyBytes)
		}
	}
	put(PropertyTitle, r.Title)
	put(PropertyControls, strings.Join(r.Controls, ", "))
	put(PropertyRemediation, r.Remediation)
	put(PropertyDrift, r.Drift)
	if w := r.Waiver; w != nil {
		put(PropertyWaiverReason, w.Reason)
		put(PropertyWaiverTicket, w.Ticket)
		put(PropertyWaiverApprovedBy, w.ApprovedBy)
		put(PropertyWaiverExpires, w.Expires.String())
		put(PropertyWaiverObjects, strings.Join(w.Objects, ", "))
	}
	refs, subjects := objectReferences(r.Objects)
	if n := len(refs) + len(subjects); n > MaxResources {
		keep := min(len(refs), MaxResources)
		refs = refs[:keep]
		subjects = subjects[:min(len(subjects), MaxResources-keep)]
		put(PropertyOmitted, strconv.Itoa(n-MaxResources))
	}
	put(PropertySubjects, strings.Join(subjects, ", "))
	return orv1alpha1.ReportResult{
		Source:      OpenReportsSource,
		Policy:      r.ID,
		Category:    r.Category,
		Severity:    OpenReportsSeverity(r.Severity),
		Timestamp:   ts,
		Result:      openReportsResult(r.Status),
		Scored:      r.Severity != result.Warning,
		Subjects:    refs,
		Description: clip(r.Message, maxMessageBytes),
		Properties:  p,
	}
}

// kindVersions are the API versions of the kinds findings name, for
// readers (policy-reporter) that link an object reference to its object.
// A kind without a row is referenced without one.
var kindVersions = map[string]string{
	"Node": "v1", "Namespace": "v1", "Pod": "v1", "Service": "v1", "ServiceAccount": "v1",
	"ResourceQuota": "v1", "LimitRange": "v1", "Secret": "v1",
	"Deployment": "apps/v1", "DaemonSet": "apps/v1",
	"NetworkPolicy":            "networking.k8s.io/v1",
	"CustomResourceDefinition": "apiextensions.k8s.io/v1",
	"ConstraintTemplate":       "templates.gatekeeper.sh/v1",
	"SecretProviderClass":      "secrets-store.csi.x-k8s.io/v1",
	"AzureIdentity":            "aadpodidentity.k8s.io/v1", "AzureIdentityBinding": "aadpodidentity.k8s.io/v1",
	"GitRepository": "source.toolkit.fluxcd.io/v1", "Kustomization": "kustomize.toolkit.fluxcd.io/v1",
}

// objectReferences splits a finding's objects into Kubernetes object
// references ("Kind/name", "Kind/namespace/name", with an optional
// " (note)") and the other subjects it names (a node pool, the API server
// address, a credential plugin), which stay text.
func objectReferences(objects []string) (refs []corev1.ObjectReference, subjects []string) {
	for _, o := range objects {
		s, _, _ := strings.Cut(o, " (")
		parts := strings.Split(s, "/")
		if len(parts) < 2 || len(parts) > 3 || !isKind(parts[0]) || slicesHasEmpty(parts) {
			subjects = append(subjects, o)
			continue
		}
		ref := corev1.ObjectReference{Kind: parts[0], APIVersion: kindVersions[parts[0]], Name: parts[len(parts)-1]}
		if len(parts) == 3 {
			ref.Namespace = parts[1]
		}
		refs = append(refs, ref)
	}
	return refs, subjects
}

// isKind says whether s reads as a Kubernetes kind: a capital letter, then
// letters and digits.
func isKind(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func slicesHasEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" {
			return true
		}
	}
	return false
}

// clip bounds s to max bytes on a rune boundary, marking the cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const mark = " …"
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// writeOpenReports prints one ClusterReport per cluster as YAML documents;
// a cluster that could not be checked has none (there is nothing to store).
func writeOpenReports(w io.Writer, reports []*result.Report, o OpenReportsOptions) error {
	first := true
	for i, r := range reports {
		if r == nil || r.Error != "" && len(r.Results) == 0 {
			continue
		}
		verdict := ""
		if i < len(o.Verdicts) {
			verdict = o.Verdicts[i]
		}
		if !first {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		first = false
		// As -o yaml: messages from the cluster may hold characters the
		// YAML library refuses or writes raw.
		if err := output.Write(w, "yaml", ClusterReport(r, verdict, o)); err != nil {
			return err
		}
	}
	return nil
}
