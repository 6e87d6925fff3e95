package sanitize

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// YAML converts JSON text to YAML keeping every string's value, with no
// raw control or bidi character. The YAML library writes bidi characters
// raw and refuses DEL and C1 controls outright, so each string holding
// one stands in the conversion as a plain token, replaced afterwards by
// the string as a double-quoted scalar with escapes (YAMLQuoted).
func YAML(j []byte) ([]byte, error) {
	if !Unsafe(string(j)) {
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
		if !Unsafe(s) {
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
		y = bytes.ReplaceAll(y, []byte(t), []byte(YAMLQuoted(s)))
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
