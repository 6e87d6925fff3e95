package cluster

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// envelope wraps a marshalled list as the API server sends it, magic removed.
func envelope(t testing.TB, raw []byte) []byte {
	t.Helper()
	env := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: "PodList"}, Raw: raw, ContentType: runtime.ContentTypeProtobuf}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitListAgreesWithTheGeneratedDecoder: walking a page item by item
// decodes exactly what the generated decoder makes of the whole list,
// metadata and every item, in order; fields the walk does not know (a
// newer server's) are skipped as the generated decoder skips them.
func TestSplitListAgreesWithTheGeneratedDecoder(t *testing.T) {
	remaining := int64(49500)
	want := corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "12345", Continue: "page-2", RemainingItemCount: &remaining}}
	for i := range 7 {
		want.Items = append(want.Items, fullPod(i))
	}
	raw, err := want.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	unknown := protowire.AppendTag(nil, 9, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 42)
	unknown = protowire.AppendTag(unknown, 10, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, []byte("from a newer server"))
	for name, list := range map[string][]byte{"as served": raw, "with unknown fields": append(append([]byte{}, raw...), unknown...)} {
		var whole corev1.PodList
		if err := whole.Unmarshal(list); err != nil {
			t.Fatalf("%s: the generated decoder: %v", name, err)
		}
		meta, items, err := splitList(envelope(t, list))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(meta, whole.ListMeta) {
			t.Errorf("%s: metadata %+v, want %+v", name, meta, whole.ListMeta)
		}
		if len(items) != len(whole.Items) {
			t.Fatalf("%s: %d items, want %d", name, len(items), len(whole.Items))
		}
		for i, b := range items {
			var p corev1.Pod
			if err := p.Unmarshal(b); err != nil {
				t.Fatalf("%s: item %d: %v", name, i, err)
			}
			if !reflect.DeepEqual(p, whole.Items[i]) {
				t.Errorf("%s: item %d differs from the generated decoder's", name, i)
			}
		}
	}
}

// TestSplitListBroken: a page cut short or with a field of the wrong wire
// type is an error, never a shorter list.
func TestSplitListBroken(t *testing.T) {
	l := corev1.PodList{ListMeta: metav1.ListMeta{Continue: "next"}, Items: []corev1.Pod{fullPod(1), fullPod(2)}}
	raw, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	wrongType := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 5)
	for name, page := range map[string][]byte{
		"list cut short":           envelope(t, raw[:len(raw)-9]),
		"envelope cut short":       envelope(t, raw)[:len(raw)/2],
		"items of the wrong type":  envelope(t, wrongType),
		"object of the wrong type": protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 1),
	} {
		if _, items, err := splitList(page); err == nil {
			t.Errorf("%s: no error (%d items)", name, len(items))
		}
	}
}
