package check

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// tlsSecretObject is the Secret the CSI driver syncs: one, read by name.
func tlsSecretObject(p *profile.Profile) []Named {
	t := p.Secrets.TLSSecret
	return []Named{{cluster.Secrets, t.Namespace, t.Name}}
}

func spcMissing(s *cluster.Snapshot, p *profile.Profile) (Result, bool) {
	ref := p.Secrets.SecretProviderClass
	if s.Absent(cluster.SecretProviderClasses) {
		return fail("the Secrets Store CSI driver is not installed: the cluster does not serve %s (enable the azureKeyvaultSecretsProvider add-on)", cluster.SecretProviderClasses), true
	}
	if s.Object(cluster.SecretProviderClasses, ref.Namespace, ref.Name) == nil {
		return fail("SecretProviderClass %s not found", ref).with("SecretProviderClass/" + ref.String()), true
	}
	return Result{}, false
}

// spcFields are the parameters the reference fills in, with the token that
// validates each: one table, in pkg/placeholder, says what is well-formed.
var spcFields = []struct {
	keys  []string
	token string
}{
	{[]string{"keyvaultName"}, placeholder.KeyVaultName},
	{[]string{"tenantID", "tenantId"}, placeholder.KeyVaultTenant},
}

func providerClass(s *cluster.Snapshot, p *profile.Profile) Result {
	if r, missing := spcMissing(s, p); missing {
		return r
	}
	ref := p.Secrets.SecretProviderClass
	spc := s.Object(cluster.SecretProviderClasses, ref.Namespace, ref.Name)
	obj := "SecretProviderClass/" + ref.String()
	var bad []string
	if prov := str(spc, "spec", "provider"); prov != p.Secrets.Provider {
		bad = append(bad, fmt.Sprintf("provider is %q, want %q", prov, p.Secrets.Provider))
	}
	for _, f := range spcFields {
		tok, _ := placeholder.Lookup(f.token)
		val, key := "", f.keys[0]
		for _, k := range f.keys {
			if v := str(spc, "spec", "parameters", k); v != "" {
				val, key = v, k
			}
		}
		switch {
		case val == "":
			bad = append(bad, fmt.Sprintf("parameters.%s is empty", key))
		case len(placeholder.FindIn(val)) > 0:
			// secrets-placeholders reports it.
		case tok.Validate(val) != nil:
			bad = append(bad, fmt.Sprintf("parameters.%s %q is not well-formed: %s", key, val, tok.Rule))
		}
	}
	if len(bad) > 0 {
		return fail("SecretProviderClass %s: %s", ref, strings.Join(bad, "; ")).with(obj)
	}
	return pass("SecretProviderClass %s: provider %s, Key Vault %s", ref, p.Secrets.Provider, str(spc, "spec", "parameters", "keyvaultName")).with(obj)
}

func providerPlaceholders(s *cluster.Snapshot, p *profile.Profile) Result {
	if r, missing := spcMissing(s, p); missing {
		return r
	}
	ref := p.Secrets.SecretProviderClass
	spc := s.Object(cluster.SecretProviderClasses, ref.Namespace, ref.Name)
	found := map[string]bool{}
	walkStrings(spc.Object["spec"], func(v string) {
		for _, t := range placeholder.FindIn(v) {
			found[t] = true
		}
	})
	if len(found) > 0 {
		toks := sortedKeys(found)
		return fail("SecretProviderClass %s still contains %s: %s", ref, progress.Count(len(toks), "placeholder", "placeholders"), strings.Join(toks, ", ")).with("SecretProviderClass/" + ref.String())
	}
	return pass("SecretProviderClass %s has no placeholder", ref).with("SecretProviderClass/" + ref.String())
}

// walkStrings visits every string in a decoded JSON value, map keys sorted.
func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], f)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	}
}

func tlsSecret(s *cluster.Snapshot, p *profile.Profile) Result {
	t := p.Secrets.TLSSecret
	obj := "Secret/" + t.String()
	for _, sec := range s.Secrets {
		if sec.Namespace == t.Namespace && sec.Name == t.Name {
			if sec.Type != corev1.SecretTypeTLS {
				return fail("Secret %s has type %s, want %s", t, sec.Type, corev1.SecretTypeTLS).with(obj)
			}
			return pass("Secret %s present (%s)", t, sec.Type).with(obj)
		}
	}
	return fail("Secret %s not found: no ingress controller pod has mounted the CSI volume yet, or the sync failed", t).with(obj)
}
