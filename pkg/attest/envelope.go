package attest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	ita "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"google.golang.org/protobuf/encoding/protojson"
)

// PayloadType is the DSSE payload type of an in-toto Statement.
const PayloadType = "application/vnd.in-toto+json"

// ErrSignature is returned when no signature of an envelope verifies with
// the key given: another key signed it, or envelope and payload were changed.
var ErrSignature = errors.New("no signature verifies with this key")

// keyed gives securesystemslib's signer-verifier our key ID, which the
// envelope records and Open matches.
type keyed struct {
	dsse.SignerVerifier
	id string
}

func (k keyed) KeyID() (string, error) { return k.id, nil }

// Sign validates st, serialises it and wraps it in a DSSE envelope signed
// by s; the result is the envelope as indented JSON.
func (s *Signer) Sign(ctx context.Context, st *ita.Statement) ([]byte, error) {
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("the statement is invalid: %w", err)
	}
	body, err := protojson.Marshal(st)
	if err != nil {
		return nil, err
	}
	es, err := dsse.NewEnvelopeSigner(keyed{s.sv, s.keyID})
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(ctx, PayloadType, body)
	if err != nil {
		return nil, errors.New("signing the statement failed")
	}
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Envelope is an opened envelope: the key IDs of its signatures and its
// Statement, which Open returns only once a signature verified.
type Envelope struct {
	// KeyIDs lists what the signatures claim, verified or not.
	KeyIDs    []string
	Statement *ita.Statement
}

// Open checks that one of the DSSE envelope's signatures verifies with k,
// then decodes and validates its in-toto Statement. A malformed envelope
// and a bad signature are both errors; ErrSignature tells the second.
func (k *Key) Open(ctx context.Context, envelope []byte) (*Envelope, error) {
	var env dsse.Envelope
	dec := json.NewDecoder(bytes.NewReader(envelope))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %w", err)
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("payload type %q, want %q", env.PayloadType, PayloadType)
	}
	out := &Envelope{}
	for _, s := range env.Signatures {
		out.KeyIDs = append(out.KeyIDs, s.KeyID)
	}
	if len(env.Signatures) == 0 {
		return out, fmt.Errorf("the envelope holds no signature")
	}
	ev, err := dsse.NewEnvelopeVerifier(keyed{verifierOnly{k.sv}, k.keyID})
	if err != nil {
		return out, err
	}
	_, body, err := ev.VerifyAndDecode(ctx, &env)
	if err != nil {
		return out, ErrSignature
	}
	st := &ita.Statement{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, st); err != nil {
		return out, fmt.Errorf("the signed payload is not an in-toto Statement: %w", err)
	}
	if err := st.Validate(); err != nil {
		return out, fmt.Errorf("the signed Statement is invalid: %w", err)
	}
	out.Statement = st
	return out, nil
}

// verifierOnly lets a public key stand where keyed expects a signer: it
// never signs.
type verifierOnly struct{ dsse.Verifier }

func (verifierOnly) Sign(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("a public key cannot sign")
}
