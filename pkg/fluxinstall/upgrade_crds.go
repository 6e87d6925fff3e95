package fluxinstall

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The bridge: before any object moves, each CRD serves the target's
// versions beside its old ones, which stay listed (Kubernetes refuses to
// drop a version status.storedVersions names). First with the storage
// version unchanged, so every object's move can be dry-run by the server
// while nothing is stored at a new version (and the bridge can be taken
// back); then with the target's storage version, so a write re-stores,
// and the old versions listed but no longer served: the API server keeps
// a cache of every served version, which decodes every write, and the old
// controllers that read them are about to be replaced (the embedded CRD
// drops them anyway).

// bridgeVersions returns the live CRD's versions not in the target, not
// stored and served only while !storeNew, followed by the target's, the
// storage flag on the target's own storage version when storeNew, else on
// the live one.
func (k *kindMove) bridgeVersions(storeNew bool) ([]any, error) {
	liveVs, _, _ := unstructured.NestedSlice(k.crd.Object, "spec", "versions")
	want := map[string]bool{}
	for _, v := range k.target.Spec.Versions {
		want[v.Name] = true
	}
	var out []any
	for _, v := range liveVs {
		m, _ := v.(map[string]any)
		name, _ := m["name"].(string)
		if want[name] {
			continue
		}
		c := runtime.DeepCopyJSONValue(m).(map[string]any)
		c["served"] = !storeNew
		c["storage"] = !storeNew && name == k.listed
		out = append(out, c)
	}
	for _, v := range k.target.Spec.Versions {
		v := *v.DeepCopy()
		v.Served = true
		v.Storage = storeNew && v.Storage
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// setCRDVersions replaces the live CRD's versions, server-side dry-run
// first, with an optimistic lock on the version read.
func (in *installer) setCRDVersions(ctx context.Context, k *kindMove, versions []any) error {
	crd := k.crd.DeepCopy()
	if err := unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions"); err != nil {
		return err
	}
	if err := in.client.Update(ctx, crd.DeepCopy(), client.DryRunAll, client.FieldOwner(upgradeManager)); err != nil {
		return fmt.Errorf("CustomResourceDefinition %s (dry-run): %s", crd.GetName(), apiReason(err))
	}
	if err := in.client.Update(ctx, crd, client.FieldOwner(upgradeManager)); err != nil {
		return fmt.Errorf("CustomResourceDefinition %s: %s", crd.GetName(), apiReason(err))
	}
	in.wrote.Store(true)
	k.crd = crd
	return nil
}

// liveStorage is the live CRD's storage version.
func (k *kindMove) liveStorage() string { return storageVersion(k.crd) }

// storageVersion is the version crd (a CustomResourceDefinition) stores
// at; "" when none is marked.
func storageVersion(crd *unstructured.Unstructured) string {
	vs, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range vs {
		if m, _ := v.(map[string]any); m["storage"] == true {
			s, _ := m["name"].(string)
			return s
		}
	}
	return ""
}

// serves reports whether the live CRD serves version.
func (k *kindMove) serves(version string) bool {
	vs, _, _ := unstructured.NestedSlice(k.crd.Object, "spec", "versions")
	for _, v := range vs {
		if m, _ := v.(map[string]any); m["name"] == version && m["served"] == true {
			return true
		}
	}
	return false
}

// openBridge makes the CRD serve the target's versions, storage unchanged.
// Idempotent: a CRD that serves them already is left alone.
func (in *installer) openBridge(ctx context.Context, k *kindMove) error {
	if k.serves(k.to) {
		return nil
	}
	vs, err := k.bridgeVersions(false)
	if err != nil {
		return err
	}
	return in.setCRDVersions(ctx, k, vs)
}

// closeBridge takes an open bridge back (the move was rejected): the CRD's
// versions as they were. Possible only while nothing is stored at the new
// version, which the storage flag not having moved guarantees.
func (in *installer) closeBridge(ctx context.Context, k *kindMove, original []any) error {
	if k.liveStorage() == k.to {
		return nil
	}
	return in.setCRDVersions(ctx, k, original)
}

// storeNew makes the target's storage version the CRD's, and waits until
// the API server stores at it: it swaps a CRD's storage a moment after the
// CRD changes, and a write in between would still store the old version.
func (in *installer) storeNew(ctx context.Context, k *kindMove) error {
	if k.liveStorage() != k.to {
		vs, err := k.bridgeVersions(true)
		if err != nil {
			return err
		}
		if err := in.setCRDVersions(ctx, k, vs); err != nil {
			return err
		}
	}
	return in.waitStorage(ctx, k)
}

// waitStorage polls discovery until it gives k's resource the storage
// version hash of the target's storage version, as the storage version
// migrator of Kubernetes does before it rewrites objects.
func (in *installer) waitStorage(ctx context.Context, k *kindMove) error {
	want := storageVersionHash(k.gk.Group, k.to, k.gk.Kind)
	gv := k.gk.Group + "/" + k.to
	have := ""
	wctx, cancel := context.WithTimeout(ctx, storageSwitchTimeout)
	defer cancel()
	err := in.pollSoon(wctx, func(ctx context.Context) (bool, error) {
		l, err := in.discovery.ServerResourcesForGroupVersion(gv)
		if err != nil {
			return false, nil // not served yet: the bridge was just written
		}
		for _, r := range l.APIResources {
			if r.Name == k.resource {
				have = r.StorageVersionHash
			}
		}
		if have != want {
			return false, nil
		}
		// Discovery can run ahead of the handler that serves the
		// version: a write to it now would be a 404.
		probe := &metav1.PartialObjectMetadataList{}
		probe.SetGroupVersionKind(schema.GroupVersionKind{Group: k.gk.Group, Version: k.to, Kind: k.gk.Kind + "List"})
		if err := in.client.List(ctx, probe, client.Limit(1)); err != nil {
			if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
				return false, nil
			}
			return false, err
		}
		return true, nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the API server does not store %s at %s yet (discovery's storageVersionHash %q, want %q) after %s: run bootstrap again", k.resource, gv, have, want, storageSwitchTimeout)
	}
	return nil
}

// pollSoon asks done at once, then at growing intervals (from 10ms up to
// in.crdPollInterval) until it is true, fails, or ctx ends. For the waits on
// the API server's own bookkeeping (a storage switch, a deletion), which
// mostly end within milliseconds: a fixed interval would make each cost a
// whole one.
func (in *installer) pollSoon(ctx context.Context, done func(context.Context) (bool, error)) error {
	b := wait.Backoff{Duration: min(10*time.Millisecond, in.crdPollInterval), Factor: 1.5, Cap: in.crdPollInterval, Steps: math.MaxInt32}
	return b.DelayFunc().Until(ctx, true, true, done)
}

// storageVersionHash is the opaque hash discovery publishes for the
// version a resource is stored at: the first 8 bytes of the SHA-256 of
// "group/version/kind", base64 (k8s.io/apiserver's discovery package,
// whose import would bring the server's metrics into this binary). The
// upgrade's envtest test waits on it against a real API server.
func storageVersionHash(group, version, kind string) string {
	sum := sha256.Sum256([]byte(group + "/" + version + "/" + kind))
	return base64.StdEncoding.EncodeToString(sum[:8])
}

// storageSwitchTimeout bounds the wait for the server to store at a new
// version: it takes milliseconds; a minute means something is wrong.
const storageSwitchTimeout = time.Minute

// forgetOldVersions sets status.storedVersions to the target's storage
// version alone, once every object is stored at it: only then may the
// target CRD drop the old versions.
func (in *installer) forgetOldVersions(ctx context.Context, k *kindMove) error {
	stored, _, _ := unstructured.NestedStringSlice(k.crd.Object, "status", "storedVersions")
	if len(stored) == 1 && stored[0] == k.to {
		return nil
	}
	body, err := json.Marshal(map[string]any{"status": map[string]any{"storedVersions": []string{k.to}}})
	if err != nil {
		return err
	}
	crd := &unstructured.Unstructured{}
	crd.SetGroupVersionKind(crdGVK)
	crd.SetName(k.crd.GetName())
	if err := in.client.Status().Patch(ctx, crd, client.RawPatch(types.MergePatchType, body), client.FieldOwner(upgradeManager)); err != nil {
		return fmt.Errorf("CustomResourceDefinition %s status.storedVersions: %s", crd.GetName(), apiReason(err))
	}
	k.crd = crd
	return nil
}
