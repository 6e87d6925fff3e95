package evidence

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	testresult "github.com/in-toto/attestation/go/predicates/test_result/v0"
	ita "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
	"github.com/aksbaseline/kubectl-aksbaseline/test/keytest"
)

// testKey makes an ED25519 key pair and loads both halves.
func testKey(t testing.TB) (*attest.Signer, *attest.Key) {
	t.Helper()
	kp, pp := keytest.WritePair(t, keytest.Ed25519(t), nil)
	s, err := attest.LoadSigner(kp, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := attest.LoadKey(pp)
	if err != nil {
		t.Fatal(err)
	}
	return s, k
}

func signedBundle(t *testing.T, s *attest.Signer, bundles ...Bundle) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "evidence")
	if len(bundles) == 0 {
		bundles = []Bundle{fixture(t, "aks-prod", "6f1d2c3b")}
	}
	if err := Write(context.Background(), dir, bundles, Options{Tool: tool, Signer: s}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func checkDir(t *testing.T, dir string, k *attest.Key) *Checked {
	t.Helper()
	c, err := Check(context.Background(), dir, k)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// names tells whether a problem names file.
func names(c *Checked, file string) bool {
	for _, p := range c.Problems {
		if p.File == file {
			return true
		}
	}
	return false
}

func TestSignedBundle(t *testing.T) {
	s, k := testKey(t)
	dir := signedBundle(t, s)
	sha256sumCheck(t, dir) // SHA256SUMS does not list the attestation, and still agrees
	c := checkDir(t, dir, k)
	if !c.Intact() || !c.Signed() || len(c.Folders) != 1 {
		t.Fatalf("a fresh bundle: %+v", c)
	}
	f := c.Folders[0]
	if f.KeyID != s.KeyID() || f.ClusterID != "6f1d2c3b" || f.Context != "aks-prod" || f.Result != "FAILED" || f.Verdict != "failed" || f.Files != 7 {
		t.Errorf("folder %+v", f)
	}
	noLeak(t, dir)

	// The statement is in-toto's, its predicate a Test Result.
	b, _ := os.ReadFile(filepath.Join(dir, Attestation))
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
	}
	if err := json.Unmarshal(b, &env); err != nil || env.PayloadType != attest.PayloadType {
		t.Fatalf("envelope: %v %q", err, env.PayloadType)
	}
	body, _ := base64.StdEncoding.DecodeString(env.Payload)
	var st ita.Statement
	if err := protojson.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if err := st.Validate(); err != nil || st.GetPredicateType() != PredicateType || len(st.GetSubject()) != 8 {
		t.Fatalf("statement: %v %s %d subjects", err, st.GetPredicateType(), len(st.GetSubject()))
	}
	j, _ := protojson.Marshal(st.GetPredicate())
	var tr testresult.TestResult
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(j, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.GetResult() != "FAILED" || len(tr.GetFailedTests()) != 1 || tr.GetFailedTests()[0] != "nodes-ready" || tr.GetPassedTests()[0] != "secrets-tls-secret" {
		t.Errorf("predicate %v", &tr)
	}
	cfg := map[string]bool{}
	for _, rd := range tr.GetConfiguration() {
		cfg[rd.GetName()] = len(rd.GetDigest()["sha256"]) == 64
	}
	if !cfg[ProfileYAML] || !cfg[WaiversYAML] {
		t.Errorf("configuration %v", tr.GetConfiguration())
	}
	for _, leak := range []string{"admin", "token="} {
		if strings.Contains(string(body), leak) {
			t.Errorf("the statement carries %q", leak)
		}
	}
}

// TestTamper is the matrix: each change is found and named.
func TestTamper(t *testing.T) {
	s, k := testKey(t)
	otherSigner, otherKey := testKey(t)
	fresh := func() string { return signedBundle(t, s) }
	edit := func(dir, name string, f func([]byte) []byte) {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	flip := func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b }
	want := func(t *testing.T, dir string, key *attest.Key, file string) {
		t.Helper()
		c := checkDir(t, dir, key)
		if c.Intact() || !names(c, file) {
			t.Errorf("want a problem naming %s, got %v", file, c.Problems)
		}
	}
	for _, f := range []string{Sums, ClusterJSON, InventoryJSON, ProfileYAML, ReportHTML, ReportJSON, ToolJSON, WaiversYAML, Attestation} {
		t.Run("one byte of "+f, func(t *testing.T) {
			dir := fresh()
			edit(dir, f, flip)
			want(t, dir, k, f)
		})
	}
	t.Run("file removed", func(t *testing.T) {
		dir := fresh()
		os.Remove(filepath.Join(dir, ReportHTML))
		want(t, dir, k, ReportHTML)
	})
	t.Run("file added", func(t *testing.T) {
		dir := fresh()
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
		want(t, dir, k, "notes.txt")
	})
	t.Run("SHA256SUMS rewritten to match a changed report", func(t *testing.T) {
		dir := fresh()
		edit(dir, ReportJSON, func(b []byte) []byte { return []byte(strings.Replace(string(b), `"fail"`, `"pass"`, -1)) })
		if _, err := writeSums(dir); err != nil {
			t.Fatal(err)
		}
		sha256sumCheck(t, dir) // sha256sum alone is fooled
		want(t, dir, k, ReportJSON)
		want(t, dir, k, Sums)
	})
	t.Run("payload subject digest edited", func(t *testing.T) {
		dir := fresh()
		edit(dir, Attestation, func(b []byte) []byte {
			var env map[string]any
			json.Unmarshal(b, &env)
			body, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			var st map[string]any
			json.Unmarshal(body, &st)
			st["subject"].([]any)[0].(map[string]any)["digest"].(map[string]any)["sha256"] = strings.Repeat("0", 64)
			body, _ = json.Marshal(st)
			env["payload"] = base64.StdEncoding.EncodeToString(body)
			out, _ := json.Marshal(env)
			return out
		})
		want(t, dir, k, Attestation)
	})
	// theirs is the attestation of another cluster's bundle, same key.
	theirs, err := os.ReadFile(filepath.Join(signedBundle(t, s, fixture(t, "aks-other", "0000")), Attestation))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("signature swapped from another bundle", func(t *testing.T) {
		dir := fresh()
		edit(dir, Attestation, func(b []byte) []byte {
			var mine, their map[string]any
			json.Unmarshal(b, &mine)
			json.Unmarshal(theirs, &their)
			mine["signatures"] = their["signatures"]
			out, _ := json.Marshal(mine)
			return out
		})
		want(t, dir, k, Attestation)
	})
	t.Run("whole attestation of another bundle", func(t *testing.T) {
		dir := fresh()
		os.WriteFile(filepath.Join(dir, Attestation), theirs, 0o644)
		want(t, dir, k, ReportJSON)
	})
	t.Run("wrong public key", func(t *testing.T) {
		want(t, fresh(), otherKey, Attestation)
	})
	t.Run("re-signed by another key", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "e")
		if err := Write(context.Background(), dir, []Bundle{fixture(t, "aks-prod", "6f1d2c3b")}, Options{Tool: tool, Signer: otherSigner}); err != nil {
			t.Fatal(err)
		}
		c := checkDir(t, dir, k)
		if c.Intact() || !strings.Contains(c.Problems[0].Reason, otherSigner.KeyID()) {
			t.Errorf("want the other key named: %v", c.Problems)
		}
	})
}

func TestSignedFleet(t *testing.T) {
	s, k := testKey(t)
	dir := signedBundle(t, s, fixture(t, "east", "a"), fixture(t, "west", "b"))
	sha256sumCheck(t, dir)
	sha256sumCheck(t, filepath.Join(dir, ContextsDir, "east"))
	for _, f := range []string{Attestation, "contexts/east/" + Attestation, "contexts/west/" + Attestation} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s", f)
		}
	}
	c := checkDir(t, dir, k)
	if !c.Intact() || !c.Signed() || len(c.Folders) != 3 || c.Folders[2].ClusterID != "b" || c.Folders[2].Path != "contexts/west" {
		t.Fatalf("a fresh fleet bundle: %+v", c)
	}
	os.WriteFile(filepath.Join(dir, ContextsDir, "west", ReportJSON), []byte("{}"), 0o644)
	c = checkDir(t, dir, k)
	if c.Intact() || !names(c, "contexts/west/"+ReportJSON) {
		t.Errorf("a changed cluster report: %v", c.Problems)
	}
}

func TestUnsigned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	if err := Write(context.Background(), dir, []Bundle{fixture(t, "aks-prod", "u")}, Options{Tool: tool}); err != nil {
		t.Fatal(err)
	}
	c := checkDir(t, dir, nil)
	if !c.Intact() || c.Signed() || c.Folders[0].ClusterID != "u" {
		t.Errorf("an unsigned bundle's hashes: %+v", c)
	}
	os.WriteFile(filepath.Join(dir, ToolJSON), []byte("{}"), 0o644)
	if c := checkDir(t, dir, nil); c.Intact() || !names(c, ToolJSON) {
		t.Errorf("a changed file of an unsigned bundle: %v", c.Problems)
	}
	if _, err := Check(context.Background(), t.TempDir(), nil); !errors.Is(err, ErrNotBundle) {
		t.Errorf("an empty folder: %v", err)
	}
}

// BenchmarkCheck checks the signed bundle of a 5,000-node cluster with
// 50,000 pods; 'make bench' times the command on the real one.
func BenchmarkCheck(b *testing.B) {
	s, k := testKey(b)
	bundle := bigFixture(b)
	dir := filepath.Join(b.TempDir(), "e")
	if err := Write(context.Background(), dir, []Bundle{bundle}, Options{Tool: tool, Signer: s}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		c, err := Check(context.Background(), dir, k)
		if err != nil || !c.Intact() {
			b.Fatal(err, c.Problems)
		}
	}
}

// BenchmarkAttest is what --sign-key adds to writing the bundle of a
// 5,000-node cluster with 50,000 pods: hashing it and signing once.
func BenchmarkAttest(b *testing.B) {
	s, _ := testKey(b)
	bundle := bigFixture(b)
	dir := filepath.Join(b.TempDir(), "e")
	if err := Write(context.Background(), dir, []Bundle{bundle}, Options{Tool: tool}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		digests, err := digestsUnder(dir, Attestation)
		if err != nil {
			b.Fatal(err)
		}
		if err := attestOne(context.Background(), dir, bundle, Options{Tool: tool, Signer: s}, digests); err != nil {
			b.Fatal(err)
		}
	}
}
