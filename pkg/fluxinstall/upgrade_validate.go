package fluxinstall

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/ssa"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// How the upgrade's own objects are validated before the first write.
const (
	byBridge   = "as the bridge CRD, by server-side dry-run before it is written (the CRD itself applies once its old versions are no longer stored)"
	byRecreate = "by server-side dry-run create (the live one, whose selector differs, is replaced)"
)

// upgradeCase validates the objects the upgrade handles itself: the CRDs
// whose objects move (refused as they stand while the old versions are
// stored) and the Deployments to recreate (refused as an update of an
// immutable selector). ok is false for every other object.
func (v *validationRun) upgradeCase(ctx context.Context, o object) (ch *change, rej *rejection, ok bool, err error) {
	up := v.in.up
	if up == nil {
		return nil, nil, false, nil
	}
	if o.GetKind() == "CustomResourceDefinition" {
		for _, k := range up.kinds {
			if k.target.Name == o.GetName() {
				return &change{obj: o, action: ssa.ConfiguredAction, validatedBy: byBridge, desired: o.DeepCopy(), existing: k.crd.DeepCopy()}, nil, true, nil
			}
		}
		return nil, nil, false, nil
	}
	if !up.recreate[o.ref()] {
		return nil, nil, false, nil
	}
	probe := o.DeepCopy()
	err = v.in.client.Create(ctx, probe, client.DryRunAll, client.FieldOwner(fieldManager), client.FieldValidation(metav1.FieldValidationStrict))
	switch {
	case err == nil, apierrors.IsAlreadyExists(err):
		// AlreadyExists comes from storage, after validation and admission passed.
		return &change{obj: o, action: ssa.CreatedAction, validatedBy: byRecreate, desired: o.DeepCopy(), recreate: true}, nil, true, nil
	case isRejection(err):
		return nil, &rejection{ref: o.ref(), origin: o.origin, reason: fmt.Sprintf("%s (dry-run create of the replacement)", apiReason(err))}, true, nil
	default:
		return nil, nil, true, err
	}
}
