package keytest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/youmark/pkcs8"
)

// WritePair writes priv as a PKCS#8 PEM file (encrypted with password
// unless it is nil) and its public key as PKIX PEM beside it, in a
// temporary folder of t.
func WritePair(t testing.TB, priv crypto.Signer, password []byte) (privPath, pubPath string) {
	t.Helper()
	var der []byte
	var err error
	typ := "PRIVATE KEY"
	if password == nil {
		der, err = x509.MarshalPKCS8PrivateKey(priv)
	} else {
		der, err = pkcs8.MarshalPrivateKey(priv, password, nil)
		typ = "ENCRYPTED PRIVATE KEY"
	}
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	privPath, pubPath = filepath.Join(dir, "key.pem"), filepath.Join(dir, "key.pub")
	if err := os.WriteFile(privPath, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		t.Fatal(err)
	}
	return privPath, pubPath
}

// Ed25519 makes a fresh ED25519 private key.
func Ed25519(t testing.TB) crypto.Signer {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
