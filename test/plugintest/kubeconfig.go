package plugintest

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// EditKubeconfig writes a copy of the kubeconfig at from, changed by edit,
// into the test's temporary folder and returns its path; from is left
// alone.
func EditKubeconfig(t testing.TB, from string, edit func(*clientcmdapi.Config)) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(from)
	if err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// URLCredentials are secrets planted in a server address, as user info and
// a query parameter, for the tests that search every output for them.
type URLCredentials struct {
	User, Password string
	// Param is the query parameter that carries Token.
	Param, Token string
}

// KubeconfigCredentials are planted in a kubeconfig's server address and
// FlagCredentials in --server's: two sets, so a leak names its source.
var (
	KubeconfigCredentials = URLCredentials{User: "alice", Password: "hunter2", Param: "token", Token: "s3cr3t-t0ken"}
	FlagCredentials       = URLCredentials{User: "bob", Password: "pa55word", Param: "access_token", Token: "acc3ss-t0ken"}
)

// In returns server (scheme://host[:port]) carrying c.
func (c URLCredentials) In(server string) string {
	return strings.Replace(server, "://", "://"+c.User+":"+c.Password+"@", 1) + "/?" + c.Param + "=" + c.Token
}

// Secrets are the parts of c that no output may hold.
func (c URLCredentials) Secrets() []string {
	return []string{c.User, c.Password, c.Token}
}
