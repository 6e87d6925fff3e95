package report

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

func init() {
	register("json", 20, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, false) })
	register("yaml", 30, func(w io.Writer, reports []*result.Report, _ Options) error { return writeDocument(w, reports, true) })
}

// writeDocument prints the versioned document the schema publishes: a
// VerifyReport for one cluster, a VerifyReportList for several. Both are
// data, so strings from the cluster keep their value; control and
// bidirectional characters in them are written as the format's escapes
// (sanitize.JSON, sanitize.YAMLQuoted), never raw, so a terminal showing
// the document is not driven by them, and the YAML and JSON views agree.
func writeDocument(w io.Writer, reports []*result.Report, asYAML bool) error {
	var doc any = reports[0]
	if len(reports) != 1 {
		doc = &result.List{APIVersion: result.APIVersion, Kind: result.ListKind, Items: reports}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if asYAML {
		if b, err = toYAML(b); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	_, err = fmt.Fprintln(w, string(sanitize.JSON(b)))
	return err
}

// toYAML converts JSON to YAML. The YAML library writes bidirectional
// characters raw and refuses DEL and C1 controls outright, so each string
// holding one stands in the conversion as a plain token, replaced
// afterwards by the string as a double-quoted scalar with escapes.
func toYAML(j []byte) ([]byte, error) {
	if !sanitize.Unsafe(string(j)) {
		// C0 controls are \u escapes in JSON text; the YAML library
		// escapes those itself.
		return yaml.JSONToYAML(j)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	tokens := map[string]string{}
	token := func(s string) string {
		if !sanitize.Unsafe(s) {
			return s
		}
		// "end" keeps token 1 from matching the start of token 12.
		t := fmt.Sprintf("aksbaselineescaped%sn%dend", hex.EncodeToString(nonce), len(tokens))
		tokens[t] = s
		return t
	}
	j, err := json.Marshal(swapStrings(v, token))
	if err != nil {
		return nil, err
	}
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return nil, err
	}
	for t, s := range tokens {
		y = bytes.ReplaceAll(y, []byte(t), []byte(sanitize.YAMLQuoted(s)))
	}
	return y, nil
}

// swapStrings applies f to every string, key or value, of a decoded JSON
// document.
func swapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		for i := range x {
			x[i] = swapStrings(x[i], f)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[f(k)] = swapStrings(e, f)
		}
		return out
	}
	return v
}
