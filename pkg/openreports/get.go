package openreports

import (
	"context"
	"errors"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	orclient "github.com/openreports/reports-api/pkg/client/clientset/versioned/typed/openreports.io/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// ErrNoReport says the cluster serves ClusterReports but holds none of
// this name: the verifier never ran, or its report was deleted.
var ErrNoReport = errors.New("no ClusterReport")

// Get reads the ClusterReport name with one GET: ErrNoCRD when the cluster
// does not serve the type, ErrNoReport when it holds no such report.
func Get(ctx context.Context, cfg *rest.Config, name string) (*orv1alpha1.ClusterReport, error) {
	c, err := orclient.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	cr, err := c.ClusterReports().Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return cr, nil
	case apierrors.IsNotFound(err) && namesObject(err, name):
		return nil, ErrNoReport
	}
	return nil, explain("get", name, err)
}
