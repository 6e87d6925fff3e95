package check

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/cluster"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/placeholder"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/result"
)

// secretChecks are the secrets checks in report order, each declared beside the
// function that judges it.
var secretChecks = []*Check{
	secretsProviderClassCheck,
	secretsPlaceholdersCheck,
	secretsTLSSecretCheck,
}

// tlsSecretObject is the Secret the CSI driver syncs: one, read by name.
func tlsSecretObject(p *profile.Profile) []Named {
	t := p.Secrets.TLSSecret
	return []Named{{cluster.Secrets, t.Namespace, t.Name}}
}

// providerClassObject is how findings name the profile's SecretProviderClass.
// Waivers and drift match findings by this name, so the three checks that
// report on the object must spell it alike.
func providerClassObject(p *profile.Profile) string {
	return "SecretProviderClass/" + p.Secrets.SecretProviderClass.String()
}

// providerClassOf returns the profile's SecretProviderClass, or nil and the
// failure that says why the cluster has none.
func providerClassOf(s *cluster.Snapshot, p *profile.Profile) (*unstructured.Unstructured, result.Result) {
	ref := p.Secrets.SecretProviderClass
	if s.Absent(cluster.SecretProviderClasses) {
		return nil, fail("the Secrets Store CSI driver is not installed: the cluster does not serve %s (enable the azureKeyvaultSecretsProvider add-on)", cluster.SecretProviderClasses).
			About(crdMissing(cluster.SecretProviderClasses))
	}
	spc := s.CustomObject(cluster.SecretProviderClasses, ref.Namespace, ref.Name)
	if spc == nil {
		obj := providerClassObject(p)
		return nil, fail("SecretProviderClass %s not found", ref).With(obj).About(result.Finding{Object: obj, Message: "not found"})
	}
	return spc, result.Result{}
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

var secretsProviderClassCheck = &Check{ID: "secrets-provider-class", Severity: result.Critical, Uses: []cluster.Resource{cluster.SecretProviderClasses}, Run: providerClass,
	Title: "The SecretProviderClass is present, uses the azure provider and well-formed names", Remediation: "enable the azureKeyvaultSecretsProvider add-on and let Flux apply ingress-nginx/akv-tls-provider.yaml with your Key Vault name and tenant"}

func providerClass(s *cluster.Snapshot, p *profile.Profile) result.Result {
	spc, missing := providerClassOf(s, p)
	if spc == nil {
		return missing
	}
	ref, obj := p.Secrets.SecretProviderClass, providerClassObject(p)
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
		return fail("SecretProviderClass %s: %s", ref, strings.Join(bad, "; ")).With(obj).About(result.Finding{Object: obj, Message: strings.Join(bad, "; ")})
	}
	return pass("SecretProviderClass %s: provider %s, Key Vault %s", ref, p.Secrets.Provider, str(spc, "spec", "parameters", "keyvaultName")).With(obj)
}

var secretsPlaceholdersCheck = &Check{ID: "secrets-placeholders", Severity: result.Critical, Uses: []cluster.Resource{cluster.SecretProviderClasses}, Run: providerPlaceholders,
	Title: "The SecretProviderClass has no placeholder left", Remediation: "replace the placeholders in akv-tls-provider.yaml ('{cli} configure'), commit and push; Flux re-applies it"}

func providerPlaceholders(s *cluster.Snapshot, p *profile.Profile) result.Result {
	spc, missing := providerClassOf(s, p)
	if spc == nil {
		return missing
	}
	ref, obj := p.Secrets.SecretProviderClass, providerClassObject(p)
	found := map[string]bool{}
	walkStrings(spc.Object["spec"], func(v string) {
		for _, t := range placeholder.FindIn(v) {
			found[t] = true
		}
	})
	if len(found) > 0 {
		toks := sortedKeys(found)
		return fail("SecretProviderClass %s still contains %s: %s", ref, phrase.Count(len(toks), "placeholder", "placeholders"), strings.Join(toks, ", ")).With(obj).
			About(result.Finding{Object: obj, Message: "still contains " + strings.Join(toks, ", ")})
	}
	return pass("SecretProviderClass %s has no placeholder", ref).With(obj)
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

var secretsTLSSecretCheck = &Check{ID: "secrets-tls-secret", Severity: result.Critical, Named: tlsSecretObject, Run: tlsSecret,
	Title: "The TLS Secret synced from Key Vault is present", Remediation: "the Secret exists once an ingress controller pod mounts the CSI volume: check the pod's events and that the certificate was imported into Key Vault"}

func tlsSecret(s *cluster.Snapshot, p *profile.Profile) result.Result {
	t := p.Secrets.TLSSecret
	obj := "Secret/" + t.String()
	for _, sec := range s.Secrets {
		if sec.Namespace == t.Namespace && sec.Name == t.Name {
			if sec.Type != corev1.SecretTypeTLS {
				return fail("Secret %s has type %s, want %s", t, sec.Type, corev1.SecretTypeTLS).With(obj).
					About(result.Finding{Object: obj, Message: fmt.Sprintf("type %s, want %s", sec.Type, corev1.SecretTypeTLS)})
			}
			return pass("Secret %s present (%s)", t, sec.Type).With(obj)
		}
	}
	return fail("Secret %s not found: no ingress controller pod has mounted the CSI volume yet, or the sync failed", t).With(obj).About(result.Finding{Object: obj, Message: "not found"})
}
