package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/evidence"
	"github.com/aksbaseline/kubectl-aksbaseline/test/keytest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/leaktest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// TestSigningKeyRefused: a key that cannot be read or used stops verify
// before any request reaches the cluster.
func TestSigningKeyRefused(t *testing.T) {
	kc, requests := countingServer(t)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	badCurve, _ := keytest.WritePair(t, p384, nil)
	encrypted, _ := keytest.WritePair(t, keytest.Ed25519(t), []byte("open sesame"))
	_, public := keytest.WritePair(t, keytest.Ed25519(t), nil)
	garbage := tempFile(t, "garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"missing key", []string{"--sign-key", filepath.Join(t.TempDir(), "none.pem")}, nil, "cannot be read"},
		{"missing key from the environment", nil, []string{"AKSBASELINE_SIGN_KEY=" + filepath.Join(t.TempDir(), "none.pem")}, "cannot be read"},
		{"P-384", []string{"--sign-key", badCurve}, nil, "P-256"},
		{"garbage", []string{"--sign-key", garbage}, nil, "not a PKCS#8 private key"},
		{"public key", []string{"--sign-key", public}, nil, "is a public key"},
		{"encrypted, no terminal", []string{"--sign-key", encrypted}, nil, "AKSBASELINE_SIGN_KEY_PASSPHRASE"},
		{"encrypted, wrong passphrase", []string{"--sign-key", encrypted}, []string{"AKSBASELINE_SIGN_KEY_PASSPHRASE=nope"}, "passphrase does not decrypt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--kubeconfig", kc, "--evidence", filepath.Join(t.TempDir(), "e")}, tc.args...)
			r := plugintest.Run(t, plugintest.Cmd{Name: plugin, Args: args, Env: tc.env})
			if r.Code != 2 || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("want exit 2 naming %q\n%s", tc.want, r)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d requests reached the cluster before the refusal", n)
			}
		})
	}
	if r := runVerify(t, "verify", "--kubeconfig", kc, "--sign-key", encrypted); r.Code != 2 || !strings.Contains(r.Stderr, "--evidence") {
		t.Errorf("--sign-key without --evidence: want exit 2\n%s", r)
	}
}

func evidenceVerify(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return runVerify(t, append([]string{"evidence", "verify"}, args...)...)
}

// TestSignedEvidence signs bundles with each kind of key and checks them
// with 'evidence verify', intact and tampered, as an assessor would.
func TestSignedEvidence(t *testing.T) {
	kc := shared.Kubeconfig
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, otherPub := keytest.WritePair(t, keytest.Ed25519(t), nil)
	for name, k := range map[string]crypto.Signer{"ed25519": keytest.Ed25519(t), "ecdsa-p256": ecKey, "rsa-2048": rsaKey} {
		t.Run(name, func(t *testing.T) {
			priv, pub := keytest.WritePair(t, k, []byte("s3cret passphrase"))
			dir := filepath.Join(t.TempDir(), "evidence")
			r := plugintest.Run(t, plugintest.Cmd{Name: plugin, Args: []string{"verify", "--kubeconfig", kc, "--evidence", dir, "--sign-key", priv},
				Env: []string{"AKSBASELINE_SIGN_KEY_PASSPHRASE=s3cret passphrase"}})
			if r.Code == 2 || !strings.Contains(r.Stderr, "evidence signed by key SHA256:") {
				t.Fatalf("want the bundle signed\n%s", r)
			}
			sha256sum(t, dir)
			key, _ := os.ReadFile(priv)
			lines := strings.Split(string(key), "\n")[1:3]
			if n := leaktest.Files(t, dir, lines...); n < 8 {
				t.Fatalf("searched %d files", n)
			}
			for _, line := range lines {
				if strings.Contains(r.Stdout+r.Stderr, line) {
					t.Fatal("the signing key reached the output")
				}
			}
			ok := evidenceVerify(t, dir, "--key", pub)
			t.Logf("evidence verify:\n%s", ok.Stdout)
			if ok.Code != 0 || !strings.Contains(ok.Stdout, "intact and signed by key SHA256:") || !strings.Contains(ok.Stdout, "verdict") || !strings.Contains(ok.Stdout, "cluster") {
				t.Errorf("a fresh bundle: want exit 0 with key, cluster and verdict\n%s", ok)
			}
			if r := evidenceVerify(t, dir, "--key", otherPub); r.Code != 1 || !strings.Contains(r.Stdout, evidence.Attestation+": not signed by key") {
				t.Errorf("another key: want exit 1 naming the attestation\n%s", r)
			}
			rep := filepath.Join(dir, evidence.ReportJSON)
			b, _ := os.ReadFile(rep)
			os.WriteFile(rep, []byte(strings.Replace(string(b), `"fail"`, `"pass"`, 1)), 0o644)
			r = evidenceVerify(t, dir, "--key", pub)
			t.Logf("after a change:\n%s", r.Stdout)
			if r.Code != 1 || !strings.Contains(r.Stdout, "report.json: changed since it was signed") {
				t.Errorf("a changed report: want exit 1 naming report.json\n%s", r)
			}
		})
	}

	t.Run("unsigned", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "evidence")
		runVerify(t, "verify", "--kubeconfig", kc, "--evidence", dir)
		_, pub := keytest.WritePair(t, keytest.Ed25519(t), nil)
		if r := evidenceVerify(t, dir, "--key", pub); r.Code != 1 || !strings.Contains(r.Stdout, "not signed") {
			t.Errorf("unsigned: want exit 1 saying so\n%s", r)
		}
		if r := evidenceVerify(t, dir, "--allow-unsigned"); r.Code != 0 || !strings.Contains(r.Stdout, "only its hashes") {
			t.Errorf("unsigned, allowed: want exit 0 saying hashes only\n%s", r)
		}
	})

	t.Run("could not check", func(t *testing.T) {
		_, pub := keytest.WritePair(t, keytest.Ed25519(t), nil)
		for name, args := range map[string][]string{
			"not a bundle":    {t.TempDir(), "--key", pub},
			"no such folder":  {filepath.Join(t.TempDir(), "none"), "--key", pub},
			"unreadable key":  {t.TempDir(), "--key", filepath.Join(t.TempDir(), "none.pem")},
			"private key":     {t.TempDir(), "--key", tempFile(t, "k.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")},
			"no key, no flag": {t.TempDir()},
		} {
			if r := evidenceVerify(t, args...); r.Code != 2 || r.Stderr == "" {
				t.Errorf("%s: want exit 2 with a message\n%s", name, r)
			}
		}
	})

	t.Run("contexts", func(t *testing.T) {
		two := eastWest(t, kc)
		priv, pub := keytest.WritePair(t, keytest.Ed25519(t), nil)
		dir := filepath.Join(t.TempDir(), "fleet")
		r := plugintest.Run(t, plugintest.Cmd{Name: plugin, Args: []string{"verify", "--kubeconfig", two, "--contexts", "east,west", "--evidence", dir}, Env: []string{"AKSBASELINE_SIGN_KEY=" + priv}})
		for _, f := range []string{evidence.Attestation, "contexts/east/" + evidence.Attestation, "contexts/west/" + evidence.Attestation} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("no %s\n%s", f, r)
			}
		}
		sha256sum(t, dir)
		r = evidenceVerify(t, dir, "--key", pub)
		t.Logf("evidence verify:\n%s", r.Stdout)
		if r.Code != 0 || !strings.Contains(r.Stdout, "east") || !strings.Contains(r.Stdout, "west") {
			t.Errorf("a signed fleet: want exit 0 naming both clusters\n%s", r)
		}
		os.Remove(filepath.Join(dir, evidence.ContextsDir, "west", evidence.ReportHTML))
		if r := evidenceVerify(t, dir, "--key", pub); r.Code != 1 || !strings.Contains(r.Stdout, "contexts/west/report.html: missing") {
			t.Errorf("a file removed from a cluster folder: want exit 1 naming it\n%s", r)
		}
	})
}

// eastWest copies kubeconfig with two more contexts, east and west, for
// the cluster of its current one: a fleet of two for --contexts.
func eastWest(t *testing.T, kubeconfig string) string {
	t.Helper()
	return plugintest.EditKubeconfig(t, kubeconfig, func(cfg *clientcmdapi.Config) {
		cur := cfg.Contexts[cfg.CurrentContext]
		for _, n := range []string{"east", "west"} {
			cfg.Contexts[n] = cur.DeepCopy()
		}
	})
}
