package attest

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/keytest"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// TestSigstoreVerifies checks the envelope with the verifier cosign's
// verify-blob-attestation --key uses (sigstore's key verifier wrapped for
// DSSE), where the cosign binary itself is too costly to build for CI:
// ED25519 and ECDSA P-256 envelopes verify, and a changed one does not.
// RSA does not: securesystemslib signs RSASSA-PSS, sigstore verifies an
// RSA key as PKCS#1 v1.5; the README says so.
func TestSigstoreVerifies(t *testing.T) {
	ctx := context.Background()
	for name, priv := range keys(t) {
		t.Run(name, func(t *testing.T) {
			privPath, _ := keytest.WritePair(t, priv, nil)
			s, err := LoadSigner(privPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			env, err := s.Sign(ctx, testStatement(t))
			if err != nil {
				t.Fatal(err)
			}
			v, err := signature.LoadVerifier(priv.Public(), crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			err = sigdsse.WrapVerifier(v).VerifySignature(bytes.NewReader(env), nil)
			if name == "rsa-2048" {
				if err == nil {
					t.Error("sigstore accepted an RSASSA-PSS signature: the README's note on RSA and cosign is stale")
				}
				return
			}
			if err != nil {
				t.Fatalf("sigstore rejects the envelope: %v", err)
			}
			var e map[string]any
			if err := json.Unmarshal(env, &e); err != nil {
				t.Fatal(err)
			}
			e["payloadType"] = "application/vnd.in-toto+json; tampered"
			changed, _ := json.Marshal(e)
			if err := sigdsse.WrapVerifier(v).VerifySignature(bytes.NewReader(changed), nil); err == nil {
				t.Error("sigstore accepted a changed envelope")
			}
		})
	}
}
