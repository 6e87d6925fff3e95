package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// tableAccept asks the API server to render an object as kubectl get's
// table; with includeObject=None the row holds only the printed columns.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

// getSecret reads one Secret as its table row: name and type, the columns
// kubectl get shows, and nothing else. Not the object, nor even its
// metadata: kubectl apply keeps a copy of the data it applied in an
// annotation, and whatever crosses the wire reaches the log at -v=8. So
// the Secret verify keeps has a name and a type only (no uid or
// resourceVersion: they are not in the row).
func getSecret(ctx context.Context, rd *Reader, n types.NamespacedName) (*corev1.Secret, error) {
	body, err := rd.typed.CoreV1().RESTClient().Get().Namespace(n.Namespace).Resource("secrets").Name(n.Name).
		Param("includeObject", string(metav1.IncludeNone)).
		SetHeader("Accept", tableAccept).DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	return secretFromTable(body, n)
}

// secretFromTable finds the Type column of a Secret's table.
func secretFromTable(body []byte, n types.NamespacedName) (*corev1.Secret, error) {
	var t metav1.Table
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, fmt.Errorf("decoding Secret %s as a table: %w", n, err)
	}
	if t.Kind != "Table" || len(t.Rows) != 1 {
		return nil, fmt.Errorf("Secret %s: the API server answered with %q holding %d rows, want one table row", n, t.Kind, len(t.Rows))
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n.Namespace, Name: n.Name}}
	cells := t.Rows[0].Cells
	for i, col := range t.ColumnDefinitions {
		if i < len(cells) && strings.EqualFold(col.Name, "type") {
			v, _ := cells[i].(string)
			s.Type = corev1.SecretType(v)
		}
	}
	if s.Type == "" {
		return nil, fmt.Errorf("Secret %s: the API server's table has no Type column", n)
	}
	return s, nil
}
