package attest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
	"github.com/youmark/pkcs8"
)

// The PEM block types accepted: PKCS#8 private keys, plain or encrypted
// (PBES2, as 'openssl genpkey -aes256' writes them), and PKIX public keys.
const (
	privatePEM   = "PRIVATE KEY"
	encryptedPEM = "ENCRYPTED PRIVATE KEY"
	publicPEM    = "PUBLIC KEY"
)

// minRSABits is the smallest RSA modulus accepted for signing or checking.
const minRSABits = 2048

// ErrPassphrase is returned when an encrypted key's passphrase is wrong.
var ErrPassphrase = errors.New("the passphrase does not decrypt the key")

// Passphrase supplies the passphrase of an encrypted key; it is called only
// for one.
type Passphrase func() ([]byte, error)

// Signer signs with a private key read from a file. It keeps the key to
// itself: nothing it prints or returns holds it.
type Signer struct {
	sv    dsse.SignerVerifier
	keyID string
}

// Key is a public key read from a file, to check signatures with.
type Key struct {
	sv    dsse.Verifier
	keyID string
}

// KeyID names the signing key: the SHA-256 fingerprint of its public key
// in OpenSSH's form ("SHA256:" and unpadded base64, what 'ssh-keygen -l'
// prints). It is the key ID DSSE verifiers, securesystemslib's and
// sigstore's (cosign), derive for a key given without one: an envelope
// that named the key otherwise would be refused by them.
func (s *Signer) KeyID() string { return s.keyID }

// KeyID names the key as Signer.KeyID does.
func (k *Key) KeyID() string { return k.keyID }

// LoadSigner reads a PKCS#8 private key (ED25519, ECDSA P-256 or RSA of at
// least 2048 bits) from path, asking pass for the passphrase of an
// encrypted one, and signs once to show the key is usable. Errors name the
// file and the reason, never the key.
func LoadSigner(path string, pass Passphrase) (*Signer, error) {
	der, typ, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	var priv any
	switch typ {
	case privatePEM:
		priv, err = x509.ParsePKCS8PrivateKey(der)
	case encryptedPEM:
		if pass == nil {
			return nil, fmt.Errorf("signing key %s is encrypted and no passphrase can be asked for", path)
		}
		var pw []byte
		if pw, err = pass(); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", path, err)
		}
		if priv, _, err = pkcs8.ParsePrivateKey(der, pw); err != nil {
			clear(pw)
			return nil, fmt.Errorf("signing key %s: %w", path, ErrPassphrase)
		}
		clear(pw)
	case publicPEM:
		return nil, fmt.Errorf("signing key %s is a public key: --sign-key takes the private key (PKCS#8 PEM)", path)
	default:
		return nil, fmt.Errorf("signing key %s is a %q PEM block: want a PKCS#8 private key (%q or %q; 'openssl pkcs8 -topk8' converts)", path, typ, privatePEM, encryptedPEM)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key %s is not a PKCS#8 private key", path)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s: %w", path, errKeyType)
	}
	pub := signer.Public()
	if err := acceptable(pub); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	// securesystemslib builds its signers from a PEM text: hand it the
	// decrypted key in memory only.
	plain, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, errKeyType)
	}
	block := pem.EncodeToMemory(&pem.Block{Type: privatePEM, Bytes: plain})
	clear(plain)
	sv, err := signerVerifier(block)
	clear(block)
	if err != nil {
		return nil, fmt.Errorf("signing key %s cannot be used: %w", path, err)
	}
	id, err := keyID(pub)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	s := &Signer{sv: sv, keyID: id}
	if err := s.selfTest(); err != nil {
		return nil, fmt.Errorf("signing key %s cannot be used: %w", path, err)
	}
	return s, nil
}

// selfTest signs and checks a fixed message, so that a key that cannot
// sign is refused before any work is done.
func (s *Signer) selfTest() error {
	ctx := context.Background()
	msg := []byte("kubectl-aksbaseline signing key self-test")
	sig, err := s.sv.Sign(ctx, msg)
	if err != nil {
		return errors.New("signing failed")
	}
	if s.sv.Verify(ctx, msg, sig) != nil {
		return errors.New("its signature does not verify")
	}
	return nil
}

// LoadKey reads a PKIX public key (ED25519, ECDSA P-256 or RSA) from path.
func LoadKey(path string) (*Key, error) {
	der, typ, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if typ != publicPEM {
		if typ == privatePEM || typ == encryptedPEM {
			return nil, fmt.Errorf("key %s is a private key: check with the public key ('openssl pkey -pubout' derives it)", path)
		}
		return nil, fmt.Errorf("key %s is a %q PEM block, not a %q", path, typ, publicPEM)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("key %s is not a PKIX public key", path)
	}
	if err := acceptable(pub); err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	sv, err := signerVerifier(pem.EncodeToMemory(&pem.Block{Type: publicPEM, Bytes: der}))
	if err != nil {
		return nil, fmt.Errorf("key %s cannot be used: %w", path, err)
	}
	id, err := keyID(pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return &Key{sv: sv, keyID: id}, nil
}

func readPEM(path string) (der []byte, typ string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, "", fmt.Errorf("key %s cannot be read: %w", path, err)
	}
	block, _ := pem.Decode(b)
	clear(b)
	if block == nil {
		return nil, "", fmt.Errorf("key %s is not a PEM file", path)
	}
	return block.Bytes, block.Type, nil
}

var errKeyType = errors.New("unsupported key type: want ED25519, ECDSA P-256 or RSA")

// acceptable limits keys to what the envelope's verifiers, ours and
// cosign's, agree on.
func acceptable(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA curve %s: want P-256", k.Curve.Params().Name)
		}
		return nil
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits: want at least %d", k.N.BitLen(), minRSABits)
		}
		return nil
	}
	return errKeyType
}

// signerVerifier builds securesystemslib's signer-verifier of the key's
// type from its PEM text.
func signerVerifier(pemText []byte) (dsse.SignerVerifier, error) {
	k, err := signerverifier.LoadKey(pemText)
	if err != nil {
		return nil, errKeyType
	}
	switch k.KeyType {
	case signerverifier.ED25519KeyType:
		return signerverifier.NewED25519SignerVerifierFromSSLibKey(k)
	case signerverifier.ECDSAKeyType:
		return signerverifier.NewECDSASignerVerifierFromSSLibKey(k)
	case signerverifier.RSAKeyType:
		return signerverifier.NewRSAPSSSignerVerifierFromSSLibKey(k)
	}
	return nil, errKeyType
}

func keyID(pub crypto.PublicKey) (string, error) {
	id, err := dsse.SHA256KeyID(pub)
	if err != nil {
		return "", errKeyType
	}
	return id, nil
}
