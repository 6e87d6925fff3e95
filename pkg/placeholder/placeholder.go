package placeholder

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Token is one placeholder the reference leaves for the user to fill in.
type Token struct {
	// Name is the literal text in the manifests.
	Name string
	// Flag and EnvVar name the configure input that replaces it; empty when
	// the token is not substituted by hand.
	Flag   string
	EnvVar string
	// Where says where the reference puts it, for messages.
	Where string
	// Value describes what replaces it.
	Value string
	// Rule is the validation rule in words, quoted in error messages.
	Rule string
	// Substituted is false for tokens the reference rewrites by other means:
	// YOUR_ACR is turned into the ACR placeholder by kustomize images:, so it
	// legitimately remains in a configured checkout, but never in a cluster.
	Substituted bool
	validate    func(string) bool
}

// Validate reports whether v is an acceptable replacement, with the rule in the error.
func (t Token) Validate(v string) error {
	if t.validate == nil || t.validate(v) {
		return nil
	}
	return fmt.Errorf("invalid --%s %q: %s", t.Flag, v, t.Rule)
}

var (
	acrName  = regexp.MustCompile(`^[a-zA-Z0-9]{5,50}$`)
	guid     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	kvName   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)
	ghChars  = regexp.MustCompile(`^[a-zA-Z0-9-]{1,39}$`)
	wordChar = func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
)

// IsGUID reports whether s has the shape of an Entra ID tenant or client ID.
func IsGUID(s string) bool { return guid.MatchString(s) }

// guidRule is IsGUID's rule in words, for a token named what.
func guidRule(what string) string {
	return "a " + what + " is a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
}

func isGitHubAccount(s string) bool {
	return ghChars.MatchString(s) && !strings.HasPrefix(s, "-") && !strings.HasSuffix(s, "-") && !strings.Contains(s, "--")
}

func isKeyVaultName(s string) bool { return kvName.MatchString(s) && !strings.Contains(s, "--") }

// The token names, for callers that refer to one.
const (
	ACRName          = "REPLACE_ME_WITH_YOUR_ACRNAME"
	GitHubAccount    = "REPLACE_ME_WITH_YOUR_GITHUBACCOUNTNAME"
	KeyVaultName     = "KEYVAULT_NAME"
	KeyVaultTenant   = "KEYVAULT_TENANT"
	IngressClientID  = "INGRESS_CONTROLLER_WORKLOAD_IDENTITY_CLIENT_ID_BU0001A0005_01"
	ACRImageRegistry = "YOUR_ACR"
)

// Tokens is the table. Order is the order users meet them in the reference.
var Tokens = []Token{
	{
		Name: ACRName, Flag: "acr-name", EnvVar: "ACR_NAME", Substituted: true,
		Where:    "*/kustomization.yaml images: newName (flux-system, cluster-baseline-settings, falco-system, ingress-nginx, workload)",
		Value:    "the Azure Container Registry name (output containerRegistryName)",
		Rule:     "an ACR name is 5 to 50 letters and digits",
		validate: acrName.MatchString,
	},
	{
		Name: GitHubAccount, Flag: "github-account", EnvVar: "GITHUB_ACCOUNT_NAME", Substituted: true,
		Where:    "flux-system/gotk-sync.yaml GitRepository spec.url",
		Value:    "the GitHub account that holds your fork",
		Rule:     "a GitHub account name is 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen",
		validate: isGitHubAccount,
	},
	{
		Name: KeyVaultName, Flag: "keyvault-name", EnvVar: "KEYVAULT_NAME", Substituted: true,
		Where:    "ingress-nginx/akv-tls-provider.yaml SecretProviderClass parameters.keyvaultName",
		Value:    "the Key Vault name (output keyVaultName)",
		Rule:     "a Key Vault name is 3 to 24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens",
		validate: isKeyVaultName,
	},
	{
		Name: KeyVaultTenant, Flag: "tenant-id", EnvVar: "TENANTID_AZURERBAC", Substituted: true,
		Where:    "ingress-nginx/akv-tls-provider.yaml SecretProviderClass parameters.tenantId (tenantID from the workload-identity era)",
		Value:    "the Entra ID tenant of the Key Vault",
		Rule:     guidRule("tenant ID"),
		validate: IsGUID,
	},
	{
		Name: IngressClientID, Flag: "ingress-client-id", EnvVar: "INGRESS_CONTROLLER_WORKLOAD_IDENTITY_CLIENT_ID", Substituted: true,
		Where:    "ingress-nginx/akv-tls-provider.yaml SecretProviderClass parameters.clientID (workload-identity eras)",
		Value:    "the client ID of the ingress controller's managed identity (output ingressClientid)",
		Rule:     guidRule("client ID"),
		validate: IsGUID,
	},
	{
		Name: ACRImageRegistry, Substituted: false,
		Where: "ingress-nginx/deployment.yaml and workload deployments, as YOUR_ACR.azurecr.io/live/...",
		Value: "nothing: the kustomization's images: rewrites it to the ACR placeholder, which is substituted",
		Rule:  "",
	},
}

// Lookup returns the token with the given name.
func Lookup(name string) (Token, bool) {
	for _, t := range Tokens {
		if t.Name == name {
			return t, true
		}
	}
	return Token{}, false
}

// Finding is one placeholder occurrence.
type Finding struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Token  string `json:"token"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Token)
}

// FindIn returns the tokens that occur in s as whole words: KEYVAULT_NAME in
// MY_KEYVAULT_NAME is not a placeholder, YOUR_ACR in REPLACE_ME_WITH_YOUR_ACRNAME
// is not one either.
func FindIn(s string) []string {
	var found []string
	for _, t := range Tokens {
		if len(indexes(s, t.Name)) > 0 {
			found = append(found, t.Name)
		}
	}
	return found
}

// Scan reports every token occurrence in data, line by line, naming file.
func Scan(file string, data []byte) []Finding {
	var out []Finding
	// Split by hand rather than with bufio.Scanner, whose line-length limit
	// would end the scan silently and let a placeholder pass unreported.
	for n := 1; len(data) > 0; n++ {
		var line string
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = string(data[:i]), data[i+1:]
		} else {
			line, data = string(data), nil
		}
		line = strings.TrimSuffix(line, "\r")
		for _, t := range Tokens {
			for _, i := range indexes(line, t.Name) {
				out = append(out, Finding{File: file, Line: n, Column: i + 1, Token: t.Name})
			}
		}
	}
	return out
}

// Replace substitutes whole-word occurrences of token in s with value and
// returns the result and the number of replacements.
func Replace(s, token, value string) (string, int) {
	idx := indexes(s, token)
	if len(idx) == 0 {
		return s, 0
	}
	var b strings.Builder
	prev := 0
	for _, i := range idx {
		b.WriteString(s[prev:i])
		b.WriteString(value)
		prev = i + len(token)
	}
	b.WriteString(s[prev:])
	return b.String(), len(idx)
}

// indexes returns the byte offsets of whole-word occurrences of tok in s.
func indexes(s, tok string) []int {
	var out []int
	for off := 0; ; {
		i := strings.Index(s[off:], tok)
		if i < 0 {
			return out
		}
		i += off
		end := i + len(tok)
		if (i == 0 || !wordChar(s[i-1])) && (end == len(s) || !wordChar(s[end])) {
			out = append(out, i)
		}
		off = i + 1
	}
}
