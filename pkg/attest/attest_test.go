package attest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/keytest"
	ita "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/types/known/structpb"
)

func keys(t *testing.T) map[string]crypto.Signer {
	t.Helper()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]crypto.Signer{"ed25519": ed, "ecdsa-p256": ec, "rsa-2048": rs}
}

func testStatement(t testing.TB) *ita.Statement {
	t.Helper()
	pred, err := structpb.NewStruct(map[string]any{"result": "PASSED"})
	if err != nil {
		t.Fatal(err)
	}
	return &ita.Statement{Type: ita.StatementTypeUri, PredicateType: "https://in-toto.io/attestation/test-result/v0.1", Predicate: pred,
		Subject: []*ita.ResourceDescriptor{{Name: "report.json", Digest: map[string]string{"sha256": strings.Repeat("ab", 32)}}}}
}

func TestSignAndOpen(t *testing.T) {
	ctx := context.Background()
	all := keys(t)
	for name, priv := range all {
		t.Run(name, func(t *testing.T) {
			privPath, pubPath := keytest.WritePair(t, priv, nil)
			s, err := LoadSigner(privPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			sshKey, err := ssh.NewPublicKey(priv.Public())
			if err != nil {
				t.Fatal(err)
			}
			if want := ssh.FingerprintSHA256(sshKey); s.KeyID() != want || !strings.HasPrefix(want, "SHA256:") {
				t.Errorf("key ID %s, want the SHA-256 fingerprint of the public key %s", s.KeyID(), want)
			}
			env, err := s.Sign(ctx, testStatement(t))
			if err != nil {
				t.Fatal(err)
			}
			k, err := LoadKey(pubPath)
			if err != nil {
				t.Fatal(err)
			}
			opened, err := k.Open(ctx, env)
			if err != nil {
				t.Fatal(err)
			}
			if opened.Statement.GetSubject()[0].GetName() != "report.json" || opened.KeyIDs[0] != s.KeyID() {
				t.Errorf("opened %+v", opened)
			}
			// securesystemslib's own verifier, with its own key loading,
			// accepts the envelope: the signature is plain DSSE.
			pemPub, _ := os.ReadFile(pubPath)
			sk, err := signerverifier.LoadKey(pemPub)
			if err != nil {
				t.Fatal(err)
			}
			var v dsse.Verifier
			switch sk.KeyType {
			case signerverifier.ED25519KeyType:
				v, err = signerverifier.NewED25519SignerVerifierFromSSLibKey(sk)
			case signerverifier.ECDSAKeyType:
				v, err = signerverifier.NewECDSASignerVerifierFromSSLibKey(sk)
			default:
				v, err = signerverifier.NewRSAPSSSignerVerifierFromSSLibKey(sk)
			}
			if err != nil {
				t.Fatal(err)
			}
			var e dsse.Envelope
			if err := json.Unmarshal(env, &e); err != nil {
				t.Fatal(err)
			}
			// Its DSSE verifier derives the envelope's key ID from a key
			// given without one (its signer-verifiers carry TUF's own IDs),
			// as sigstore's does for cosign.
			ev, _ := dsse.NewEnvelopeVerifier(anonymous{v})
			if _, err := ev.Verify(ctx, &e); err != nil {
				t.Errorf("securesystemslib rejects the envelope: %v", err)
			}
			// Any other key is refused.
			for other, p := range all {
				if other == name {
					continue
				}
				_, otherPub := keytest.WritePair(t, p, nil)
				ok, err := LoadKey(otherPub)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ok.Open(ctx, env); !errors.Is(err, ErrSignature) {
					t.Errorf("opened with the %s key: %v", other, err)
				}
			}
			// So is a changed payload.
			e.Payload = strings.Replace(e.Payload, e.Payload[10:14], "AAAA", 1)
			changed, _ := json.Marshal(e)
			if _, err := k.Open(ctx, changed); err == nil {
				t.Error("a changed payload opened")
			}
		})
	}
}

func TestEncryptedKey(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	privPath, _ := keytest.WritePair(t, ed, []byte("correct horse"))
	asked := 0
	pass := func(p string) Passphrase {
		return func() ([]byte, error) { asked++; return []byte(p), nil }
	}
	if _, err := LoadSigner(privPath, pass("correct horse")); err != nil || asked != 1 {
		t.Fatalf("asked %d: %v", asked, err)
	}
	if _, err := LoadSigner(privPath, pass("wrong")); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := LoadSigner(privPath, nil); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("no way to ask: %v", err)
	}
	if _, err := LoadSigner(privPath, func() ([]byte, error) { return nil, errors.New("no terminal") }); err == nil || !strings.Contains(err.Error(), "no terminal") {
		t.Errorf("asking failed: %v", err)
	}
}

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384der, _ := x509.MarshalPKCS8PrivateKey(p384)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDer, _ := x509.MarshalPKCS8PrivateKey(small)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rs)})
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	_, pub := keytest.WritePair(t, ed, nil)
	corrupt := pem.EncodeToMemory(&pem.Block{Type: privatePEM, Bytes: []byte("not DER at all")})
	secretLines := [][]byte{p384der, smallDer, x509.MarshalPKCS1PrivateKey(rs)}
	for name, c := range map[string]struct {
		path, want string
	}{
		"missing":     {filepath.Join(dir, "nope.pem"), "cannot be read"},
		"not PEM":     {write("text", []byte("hello")), "not a PEM file"},
		"P-384":       {write("p384", pem.EncodeToMemory(&pem.Block{Type: privatePEM, Bytes: p384der})), "want P-256"},
		"RSA 1024":    {write("rsa1024", pem.EncodeToMemory(&pem.Block{Type: privatePEM, Bytes: smallDer})), "at least 2048"},
		"PKCS#1":      {write("pkcs1", pkcs1), "PKCS#8"},
		"public key":  {pub, "is a public key"},
		"corrupt DER": {write("corrupt", corrupt), "not a PKCS#8 private key"},
	} {
		_, err := LoadSigner(c.path, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: %v, want %q and the file", name, err, c.want)
			continue
		}
		for _, s := range secretLines {
			if strings.Contains(err.Error(), string(pem.EncodeToMemory(&pem.Block{Bytes: s}))[20:60]) {
				t.Errorf("%s: the error holds key material", name)
			}
		}
	}
	privPath, _ := keytest.WritePair(t, ed, nil)
	if _, err := LoadKey(privPath); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Errorf("a private key given as the public one: %v", err)
	}
}

// anonymous is a verifier that names no key ID.
type anonymous struct{ dsse.Verifier }

func (anonymous) KeyID() (string, error) { return "", nil }
