package evidence

import (
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
)

// Inventory lists every object a snapshot holds, by identity only
// (cluster.Snapshot.Identities: each type's descriptor names its items).
func Inventory(s *cluster.Snapshot) []InventoryItem {
	if s == nil {
		return nil
	}
	ids := s.Identities()
	out := make([]InventoryItem, len(ids))
	for i, id := range ids {
		out[i] = InventoryItem{APIVersion: id.APIVersion, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name,
			UID: string(id.UID), ResourceVersion: id.ResourceVersion}
	}
	return out
}
