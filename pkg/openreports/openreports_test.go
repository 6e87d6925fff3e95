package openreports

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestCRDs(t *testing.T) {
	crds, err := CRDs()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range crds {
		names[c.Name] = true
	}
	if !names[ClusterReportsCRD] || !names["reports.openreports.io"] || len(crds) != 2 {
		t.Errorf("embedded CRDs %v", names)
	}
	if CRDFiles[0] != "openreports.io_clusterreports.yaml" {
		t.Errorf("the first CRD file must be the ClusterReport's: %v", CRDFiles)
	}
	if v := Version(); !strings.HasPrefix(v, "v0.") || !strings.Contains(InstallHint(), "/"+v+"/config/crd/"+CRDFiles[0]) {
		t.Errorf("version %q, hint %q", v, InstallHint())
	}
}

func TestExplain(t *testing.T) {
	gr := schema.GroupResource{Group: "openreports.io", Resource: "clusterreports"}
	// The API server names the object only when the type is served.
	noType := apierrors.NewGenericServerResponse(404, "PATCH", gr, "aksbaseline", "404 page not found", 0, true)
	if err := explain("patch", "aksbaseline", noType); !errors.Is(err, ErrNoCRD) {
		t.Errorf("a bare 404 page: %v, want ErrNoCRD", err)
	}
	bare := apierrors.NewNotFound(gr, "")
	bare.ErrStatus.Details = nil
	if err := explain("get", "aksbaseline", bare); !errors.Is(err, ErrNoCRD) {
		t.Errorf("a 404 status without details: %v, want ErrNoCRD", err)
	}
	if namesObject(apierrors.NewNotFound(gr, "aksbaseline"), "aksbaseline") != true {
		t.Error("a 404 naming the report is a missing report")
	}
	err := explain("patch", "aksbaseline", apierrors.NewForbidden(gr, "aksbaseline", errors.New("no")))
	if !strings.Contains(err.Error(), "forbidden: patch clusterreports.openreports.io aksbaseline") {
		t.Errorf("forbidden: %v", err)
	}
	err = explain("patch", "aksbaseline", apierrors.NewInvalid(schema.GroupKind{Group: "openreports.io", Kind: "ClusterReport"}, "aksbaseline", nil))
	if !strings.HasPrefix(err.Error(), "patch clusterreports.openreports.io aksbaseline: ") {
		t.Errorf("invalid: %v", err)
	}
}

func TestWriterRule(t *testing.T) {
	r := WriterRule("aksbaseline")
	if strings.Join(r.Verbs, ",") != "create,patch" || strings.Join(r.ResourceNames, ",") != "aksbaseline" || r.APIGroups[0] != "openreports.io" || r.Resources[0] != "clusterreports" {
		t.Errorf("writer rule %+v: only create and patch of the one report", r)
	}
}
