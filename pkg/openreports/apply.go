package openreports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	orclient "github.com/openreports/reports-api/pkg/client/clientset/versioned/typed/openreports.io/v1alpha1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
)

// FieldManager owns every field of the report: each apply replaces the
// previous run's (results is an atomic list in the CRD's schema).
const FieldManager = "kubectl-aksbaseline"

// ErrNoCRD says the cluster does not serve ClusterReports.
var ErrNoCRD = errors.New("the OpenReports CRD " + ClusterReportsCRD + " is not installed")

// Apply writes cr by server-side apply: a dry run first, so that a report
// the API server refuses (its schema, an admission webhook) changes
// nothing, then the apply. Applying the same report twice writes nothing.
func Apply(ctx context.Context, cfg *rest.Config, cr *orv1alpha1.ClusterReport) error {
	c, err := orclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	body, err := json.Marshal(cr)
	if err != nil {
		return err
	}
	for _, dryRun := range [][]string{{metav1.DryRunAll}, nil} {
		opts := metav1.PatchOptions{FieldManager: FieldManager, Force: ptr.To(true), DryRun: dryRun}
		if _, err := c.ClusterReports().Patch(ctx, cr.Name, types.ApplyPatchType, body, opts); err != nil {
			return explain("patch", cr.Name, err)
		}
	}
	return nil
}

// explain words an API error about the report; a missing CRD is ErrNoCRD.
func explain(verb, name string, err error) error {
	var st apierrors.APIStatus
	switch {
	case apierrors.IsNotFound(err) && !namesObject(err, name):
		return ErrNoCRD
	case apierrors.IsForbidden(err):
		return fmt.Errorf("forbidden: %s %s %s: the writer needs get, create and patch on it", verb, ClusterReportsCRD, name)
	case errors.As(err, &st):
		return fmt.Errorf("%s %s %s: %s", verb, ClusterReportsCRD, name, st.Status().Message)
	}
	return fmt.Errorf("%s %s %s: %w", verb, ClusterReportsCRD, name, err)
}

// namesObject tells "no such report" from "no such resource": the API
// server answers the first with a status naming the object; the second is
// a bare 404 page, which client-go dresses as a status with an unexpected
// server response as its cause.
func namesObject(err error, name string) bool {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return false
	}
	d := st.Status().Details
	if d == nil || d.Name != name {
		return false
	}
	for _, c := range d.Causes {
		if c.Type == metav1.CauseTypeUnexpectedServerResponse {
			return false
		}
	}
	return true
}

// WriterRule is the one permission the writer needs: create and patch
// (server-side apply creates on the first run) of the one ClusterReport,
// by name. No other object is ever written.
func WriterRule(name string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: []string{orv1alpha1.SchemeGroupVersion.Group}, Resources: []string{"clusterreports"},
		ResourceNames: []string{name}, Verbs: []string{"create", "patch"}}
}
