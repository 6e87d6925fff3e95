package cluster

import (
	"bufio"
	"bytes"
	"reflect"
	"testing"
	"testing/iotest"

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

// streamPage reads page (the magic removed) as listReduced does, through a
// reader that hands over one byte at a time (so every value crosses the
// buffer's edges), keeping a copy of each item's bytes and the largest
// the item buffer grew to.
func streamPage(page []byte) (metav1.ListMeta, [][]byte, int, error) {
	var (
		items [][]byte
		buf   bytes.Buffer
	)
	r := bufio.NewReaderSize(iotest.OneByteReader(bytes.NewReader(page)), 16)
	meta, err := readProtoPage(r, &buf, func(b []byte) error { items = append(items, bytes.Clone(b)); return nil })
	return meta, items, buf.Cap(), err
}

// TestStreamedPageAgreesWithTheGeneratedDecoder: reading a page item by
// item from the stream decodes exactly what the generated decoder makes of
// the whole list, metadata and every item, in order; fields the reader does
// not know (a newer server's, of every wire type) are skipped as the
// generated decoder skips them. It holds one item at a time.
func TestStreamedPageAgreesWithTheGeneratedDecoder(t *testing.T) {
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
	unknown = protowire.AppendTag(unknown, 11, protowire.Fixed32Type)
	unknown = protowire.AppendFixed32(unknown, 7)
	unknown = protowire.AppendTag(unknown, 12, protowire.Fixed64Type)
	unknown = protowire.AppendFixed64(unknown, 7)
	unknown = protowire.AppendTag(unknown, 13, protowire.StartGroupType)
	unknown = protowire.AppendTag(unknown, 1, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 1)
	unknown = protowire.AppendTag(unknown, 13, protowire.EndGroupType)
	for name, list := range map[string][]byte{"as served": raw, "with unknown fields": append(append([]byte{}, raw...), unknown...)} {
		var whole corev1.PodList
		if err := whole.Unmarshal(list); err != nil {
			t.Fatalf("%s: the generated decoder: %v", name, err)
		}
		page := envelope(t, list)
		meta, items, held, err := streamPage(page)
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
		if held > 3*len(items[0]) {
			t.Errorf("%s: the item buffer grew to %d bytes for items of %d (a page is %d)", name, held, len(items[0]), len(page))
		}
	}
}

// TestStreamedPageBroken: a page cut short, with a field of the wrong wire
// type, a length beyond its message, a malformed varint or group, or two
// lists in one envelope is an error, never a shorter list.
func TestStreamedPageBroken(t *testing.T) {
	l := corev1.PodList{ListMeta: metav1.ListMeta{Continue: "next"}, Items: []corev1.Pod{fullPod(1), fullPod(2)}}
	raw, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	wrongType := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 5)
	// An item claiming more bytes than its list holds.
	tooLong := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.BytesType), 1000)
	tooLong = append(tooLong, make([]byte, 1000)...)
	overflow := append(protowire.AppendTag(nil, 9, protowire.VarintType), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	openGroup := protowire.AppendTag(nil, 9, protowire.StartGroupType)
	wrongEnd := protowire.AppendTag(protowire.AppendTag(nil, 9, protowire.StartGroupType), 8, protowire.EndGroupType)
	var deep []byte
	for range protowire.DefaultRecursionLimit + 2 {
		deep = protowire.AppendTag(deep, 9, protowire.StartGroupType)
	}
	env := envelope(t, raw)
	for name, page := range map[string][]byte{
		"list cut short":            envelope(t, raw[:len(raw)-9]),
		"envelope cut short":        env[:len(env)/2],
		"items of the wrong type":   envelope(t, wrongType),
		"object of the wrong type":  protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 1),
		"an item beyond its list":   envelope(t, append(append([]byte{}, raw...), tooLong...)[:len(raw)+10]),
		"a list beyond the page":    protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.BytesType), 1<<40),
		"a length beyond int64":     protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.BytesType), 1<<63),
		"an item beyond int64":      envelope(t, protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.BytesType), 1<<63)),
		"a varint overflowing":      envelope(t, append(append([]byte{}, raw...), overflow...)),
		"a group left open":         envelope(t, append(append([]byte{}, raw...), openGroup...)),
		"a group closed as another": envelope(t, append(append([]byte{}, raw...), wrongEnd...)),
		"groups nested too deep":    envelope(t, append(append([]byte{}, raw...), deep...)),
		"field number zero":         envelope(t, append(append([]byte{}, raw...), 0x00)),
		"two lists":                 append(envelope(t, raw), protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), raw)...),
	} {
		if _, items, _, err := streamPage(page); err == nil {
			t.Errorf("%s: no error (%d items)", name, len(items))
		}
	}
}
