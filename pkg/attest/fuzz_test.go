package attest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/keytest"
)

// FuzzLoadKeys feeds the key readers arbitrary files (--sign-key, and
// 'evidence verify --key'): they never panic, refuse what they cannot use
// with an error naming the file, and never put the file's content in it.
func FuzzLoadKeys(f *testing.F) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pair := range [][2]string{
		pathsOf(keytest.WritePair(f, keytest.Ed25519(f), nil)),
		pathsOf(keytest.WritePair(f, ec, nil)),
		pathsOf(keytest.WritePair(f, keytest.Ed25519(f), []byte("fuzz-pass"))),
	} {
		for _, p := range pair {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	path := filepath.Join(f.TempDir(), "key.pem")
	pass := func() ([]byte, error) { return []byte("fuzz-pass"), nil }
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, serr := LoadSigner(path, pass)
		k, kerr := LoadKey(path)
		for _, err := range []error{serr, kerr} {
			if err == nil {
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Fatalf("the error does not name the file: %s", msg)
			}
			for _, line := range bytes.Split(data, []byte("\n")) {
				if l := bytes.TrimSpace(line); len(l) >= 16 && !bytes.HasPrefix(l, []byte("-----")) && strings.Contains(msg, string(l)) {
					t.Fatalf("the error quotes the key file: %s", msg)
				}
			}
		}
		if serr == nil && s.KeyID() == "" || kerr == nil && k.KeyID() == "" {
			t.Fatal("a key loaded without a key ID")
		}
	})
}

func pathsOf(priv, pub string) [2]string { return [2]string{priv, pub} }

// FuzzOpen feeds 'evidence verify' arbitrary attestation files: Open
// never panics, and whatever it accepts is a valid in-toto Statement
// signed by the key.
func FuzzOpen(f *testing.F) {
	privPath, pubPath := keytest.WritePair(f, keytest.Ed25519(f), nil)
	s, err := LoadSigner(privPath, nil)
	if err != nil {
		f.Fatal(err)
	}
	k, err := LoadKey(pubPath)
	if err != nil {
		f.Fatal(err)
	}
	env, err := s.Sign(context.Background(), testStatement(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env)
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"x","sig":"AAAA"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := k.Open(context.Background(), data)
		if err != nil {
			return
		}
		if out == nil || out.Statement == nil || out.Statement.Validate() != nil {
			t.Fatalf("accepted an envelope without a valid Statement: %+v", out)
		}
	})
}
