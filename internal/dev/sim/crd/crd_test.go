package crd

import (
	"context"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func crdWith(name string, established apiextensionsv1.ConditionStatus) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: apiextensionsv1.CustomResourceDefinitionStatus{Conditions: []apiextensionsv1.CustomResourceDefinitionCondition{
			{Type: apiextensionsv1.Established, Status: established},
		}},
	}
}

func TestWaitEstablished(t *testing.T) {
	s := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(
		crdWith(Flux[0], apiextensionsv1.ConditionTrue),
		crdWith(Flux[1], apiextensionsv1.ConditionTrue),
		crdWith("pending.example.com", apiextensionsv1.ConditionFalse),
	).Build()
	if err := WaitEstablished(context.Background(), c, time.Millisecond, Flux...); err != nil {
		t.Errorf("established CRDs: %v", err)
	}
	for name, why := range map[string]string{"pending.example.com": "not Established", "missing.example.com": "not found"} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		err := WaitEstablished(ctx, c, time.Millisecond, Flux[0], name)
		cancel()
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: error %v, want one naming it and %q", name, err, why)
		}
	}
}
