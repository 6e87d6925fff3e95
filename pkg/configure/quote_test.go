package configure

import (
	"encoding/json"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
)

// quotingDoc holds the token in every place YAML can hold it.
const quotingDoc = `apiVersion: v1
kind: ConfigMap
metadata:
  name: vaults # KEYVAULT_NAME in a comment
data:
  plain: KEYVAULT_NAME
  inside: kv-KEYVAULT_NAME
  double: "KEYVAULT_NAME"
  single: 'KEYVAULT_NAME'
  doubleInside: "a KEYVAULT_NAME b"
  KEYVAULT_NAME: as a key
  block: |
    KEYVAULT_NAME
  flow: {inFlow: KEYVAULT_NAME, quoted: "KEYVAULT_NAME"}
  list: [KEYVAULT_NAME, 'KEYVAULT_NAME']
`

// Every value reads back as the same string in kubectl's parser
// (sigs.k8s.io/yaml, YAML 1.1) and in a YAML 1.2 one, wherever the token
// stood: values YAML 1.1 reads as booleans, numbers, null or dates are
// quoted where the token stood unquoted; quoted scalars escape for their
// quotes.
func TestQuoting(t *testing.T) {
	values := []string{
		"off", "Off", "OFF", "on", "ON", "yes", "Yes", "no", "NO", "y", "Y", "n", "N",
		"true", "False", "TRUE", "null", "Null", "NULL", "~",
		"0", "12345", "20240101", "-1", "+1", "0x1f", "0o17", "017", "0b101", "1_000", "1e3", "1E3", "1.5",
		".inf", "-.Inf", ".NaN", "1:20", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
		"<<", "=", "kv-aks-abc123def", "acraksabc123def",
		`quote"d`, `it's`, `back\slash`, "tab\there",
	}
	for _, v := range values {
		out, counts := substitute([]byte(quotingDoc), map[string]string{placeholder.KeyVaultName: v})
		if len(counts) != 1 || counts[0].N != 12 {
			t.Errorf("%q: counts %v, want 12 replacements", v, counts)
		}
		var got struct {
			Data map[string]any `json:"data"`
		}
		j, err := k8syaml.YAMLToJSON(out)
		if err == nil {
			err = json.Unmarshal(j, &got)
		}
		if err != nil {
			t.Errorf("%q: kubectl cannot read the result: %v\n%s", v, err, out)
			continue
		}
		want := map[string]any{
			"plain": v, "inside": "kv-" + v, "double": v, "single": v, "doubleInside": "a " + v + " b", v: "as a key",
			"block": v + "\n", "flow": map[string]any{"inFlow": v, "quoted": v}, "list": []any{v, v},
		}
		if g, w := mustJSON(t, got.Data), mustJSON(t, want); g != w {
			t.Errorf("%q: kubectl reads\n%s\nwant\n%s\nfrom\n%s", v, g, w, out)
		}
		var v3 struct {
			Data map[string]any `yaml:"data"`
		}
		if err := yaml.Unmarshal(out, &v3); err != nil || mustJSON(t, v3.Data) != mustJSON(t, want) {
			t.Errorf("%q: a YAML 1.2 reader reads %v (%v)", v, v3.Data, err)
		}
		if !strings.Contains(string(out), "# "+placeholder.KeyVaultName+" in a comment") && !strings.Contains(string(out), "# "+v+" in a comment") {
			t.Errorf("%q: the comment was not filled in as text:\n%s", v, out)
		}
	}
}

// A value that needs no quotes is written as it stands: the diff is the
// value, nothing more.
func TestQuotingOnlyWhereNeeded(t *testing.T) {
	in := "keyvaultName: KEYVAULT_NAME\nimage: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/app\n"
	for v, want := range map[string]string{
		"kv-aks-abc123def": "keyvaultName: kv-aks-abc123def\n",
		"off":              "keyvaultName: \"off\"\n",
		"yes":              "keyvaultName: \"yes\"\n",
	} {
		out, _ := substitute([]byte(in), map[string]string{placeholder.KeyVaultName: v, placeholder.ACRName: "12345"})
		if w := want + "image: 12345.azurecr.io/live/app\n"; string(out) != w {
			t.Errorf("%q: got\n%s\nwant\n%s", v, out, w)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
