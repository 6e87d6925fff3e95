package placeholder

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanFindsWholeWordsOnly(t *testing.T) {
	data := []byte(strings.Join([]string{
		"images:",
		"- name: ghcr.io/fluxcd/source-controller",
		"  newName: REPLACE_ME_WITH_YOUR_ACRNAME.azurecr.io/live/fluxcd/source-controller",
		"  keyvaultName: KEYVAULT_NAME",
		"  MY_KEYVAULT_NAME_X: not a placeholder",
		"  image: YOUR_ACR.azurecr.io/live/ingress-nginx/controller:v1.1.2",
	}, "\n"))
	got := Scan("k.yaml", data)
	want := []Finding{
		{File: "k.yaml", Line: 3, Column: 12, Token: ACRName},
		{File: "k.yaml", Line: 4, Column: 17, Token: KeyVaultName},
		{File: "k.yaml", Line: 6, Column: 10, Token: ACRImageRegistry},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Scan() =\n%v\nwant\n%v", got, want)
	}
	if got[0].String() != "k.yaml:3: REPLACE_ME_WITH_YOUR_ACRNAME" {
		t.Errorf("String() = %q", got[0].String())
	}
}

func TestReplace(t *testing.T) {
	got, n := Replace("a KEYVAULT_NAME b KEYVAULT_NAMES KEYVAULT_NAME", KeyVaultName, "kv-aks-1")
	if got != "a kv-aks-1 b KEYVAULT_NAMES kv-aks-1" || n != 2 {
		t.Fatalf("Replace() = %q, %d", got, n)
	}
}

func TestValidate(t *testing.T) {
	// Per token, values its rule accepts and values it refuses.
	cases := []struct {
		token     string
		good, bad []string
	}{
		{ACRName, []string{"acraksabc123def"}, []string{"acr", "acr-aks-1", strings.Repeat("a", 51)}},
		{GitHubAccount, []string{"mspnp", "my-org-1"}, []string{"-bad", "bad-", "a--b", strings.Repeat("a", 40)}},
		{KeyVaultName, []string{"kv-aks-abc123"}, []string{"1kv", "kv", "kv-", "kv--x", strings.Repeat("k", 25)}},
		{KeyVaultTenant, []string{"72f988bf-86f1-41af-91ab-2d7cd011db47"}, []string{"not-a-guid"}},
		{IngressClientID, nil, []string{"00000000-0000-0000-0000-00000000000g"}},
	}
	for _, c := range cases {
		tok, ok := Lookup(c.token)
		if !ok {
			t.Fatalf("Lookup(%s) failed", c.token)
		}
		for _, v := range c.good {
			if err := tok.Validate(v); err != nil {
				t.Errorf("%s.Validate(%q) = %v, want ok=true", c.token, v, err)
			}
		}
		for _, v := range c.bad {
			err := tok.Validate(v)
			if err == nil {
				t.Errorf("%s.Validate(%q) = nil, want ok=false", c.token, v)
				continue
			}
			if !strings.Contains(err.Error(), tok.Rule) {
				t.Errorf("error %q does not quote the rule", err)
			}
		}
	}
}

func TestFindIn(t *testing.T) {
	got := FindIn("https://github.com/REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME/aks-baseline-regulated")
	if !reflect.DeepEqual(got, []string{GitHubAccount}) {
		t.Fatalf("FindIn() = %v", got)
	}
	if FindIn("https://github.com/mspnp/aks-baseline-regulated") != nil {
		t.Fatal("FindIn found a token in a clean URL")
	}
}
