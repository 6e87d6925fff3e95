package plugin

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/kubectl/pkg/util/templates"

	"github.com/aksbaseline/kubectl-aksbaseline/internal/sanitize"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/attest"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/evidence"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/exitcode"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/phrase"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/progress"
)

// The variables that stand for verify's signing flag and a key's passphrase.
const (
	signKeyEnv    = "AKSBASELINE_SIGN_KEY"
	passphraseEnv = "AKSBASELINE_SIGN_KEY_PASSPHRASE"
)

// signing is verify's --sign-key: the key that signs the evidence bundle.
type signing struct {
	Key       string
	lookupEnv func(string) (string, bool)
	signer    *attest.Signer
}

func (s *signing) addFlags(f *pflag.FlagSet) {
	f.StringVar(&s.Key, "sign-key", "", fmt.Sprintf("Sign the --evidence bundle with this PKCS#8 PEM private key (ED25519, ECDSA P-256 or RSA; or $%s): attestation.dsse.json, an in-toto statement in a DSSE envelope; an encrypted key's passphrase is asked on the terminal or read from $%s.", signKeyEnv, passphraseEnv))
}

// complete loads the signing key, before the cluster is read: a key that
// cannot be read, decrypted or used stops verify with exit code 2.
func (s *signing) complete(env *Env, evidenceDir string) error {
	lookup := s.lookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if s.Key == "" {
		if evidenceDir == "" {
			return nil // $AKSBASELINE_SIGN_KEY applies to evidence runs only
		}
		s.Key, _ = lookup(signKeyEnv)
	} else if evidenceDir == "" {
		return exitcode.Usage("--sign-key signs the evidence bundle: add --evidence DIR")
	}
	if s.Key == "" {
		return nil
	}
	signer, err := attest.LoadSigner(s.Key, passphrase(env, s.Key, lookup))
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	s.signer = signer
	return nil
}

// passphrase reads an encrypted key's passphrase from the environment or,
// on a terminal, from the user without echo.
func passphrase(env *Env, key string, lookup func(string) (string, bool)) attest.Passphrase {
	return func() ([]byte, error) {
		if v, ok := lookup(passphraseEnv); ok {
			return []byte(v), nil
		}
		f, ok := env.Streams.In.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return nil, fmt.Errorf("it is encrypted: set $%s, or run on a terminal to be asked", passphraseEnv)
		}
		fmt.Fprintf(env.Streams.ErrOut, "Passphrase for %s: ", key)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Streams.ErrOut)
		return b, err
	}
}

// signed tells, after the bundle is written, who signed it and how to check it.
func (s *signing) signed(p *progress.Printer, name, dir string) {
	if s.signer != nil {
		p.Okf("evidence signed by key %s (check: %s evidence verify %s --key PUBLIC.pem)", s.signer.KeyID(), name, dir)
	}
}

// EvidenceVerifyOptions are the flags of 'evidence verify'.
type EvidenceVerifyOptions struct {
	env           *Env
	Dir           string
	Key           string
	AllowUnsigned bool
	key           *attest.Key
}

func newEvidenceCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Check an evidence bundle written by verify --evidence",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { _ = cmd.Help() },
	}
	cmd.AddCommand(newEvidenceVerifyCommand(env))
	return cmd
}

func newEvidenceVerifyCommand(env *Env) *cobra.Command {
	o := &EvidenceVerifyOptions{env: env}
	cmd := &cobra.Command{
		Use:   "verify DIR --key PUBLIC.pem",
		Short: "Check offline that an evidence bundle is intact and signed by a key",
		Long: templates.LongDesc(`
			Check an evidence bundle offline, as an assessor would: the signature of
			attestation.dsse.json with the public key given; that the files it signs are
			exactly the files present (none missing, none added, every SHA-256 equal);
			that SHA256SUMS agrees; and that report.json's cluster and results are the
			signed ones. A fleet bundle (verify --contexts) is checked folder by folder
			and as a whole. Nothing is read from any network.

			A bundle without an attestation is checked by its hashes only, which anyone
			who can write the folder can rewrite: that is exit code 1 unless
			--allow-unsigned.

			Exit codes: 0 intact and signed by that key; 1 changed, signed by another
			key, or unsigned; 2 not an evidence bundle, or the key cannot be read.`),
		Example: env.Example(`
			# The team signs the bundle; the assessor checks it with the team's public key
			%[1]s verify --evidence ./evidence --sign-key team-signing.pem
			%[1]s evidence verify ./evidence --key team-signing.pub.pem

			# A bundle written without --sign-key: its hashes only
			%[1]s evidence verify ./evidence --allow-unsigned`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			return inTurn(o.Complete, o.Validate, func() error { return o.Run(cmd.Context()) })
		},
	}
	cmd.Flags().StringVar(&o.Key, "key", "", "The PEM public key (PKIX) the bundle must be signed with.")
	cmd.Flags().BoolVar(&o.AllowUnsigned, "allow-unsigned", false, "Accept a bundle without an attestation when its hashes agree (exit 0 instead of 1).")
	return cmd
}

// Complete reads the public key.
func (o *EvidenceVerifyOptions) Complete() error {
	if o.Key == "" {
		return nil
	}
	k, err := attest.LoadKey(o.Key)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	o.key = k
	return nil
}

// Validate checks the flags.
func (o *EvidenceVerifyOptions) Validate() error {
	if o.Key == "" && !o.AllowUnsigned {
		return exitcode.Usage("--key PUBLIC.pem is needed to check the signature (or --allow-unsigned for a bundle's hashes only)")
	}
	return nil
}

// Run checks the bundle and prints what it found on stdout.
func (o *EvidenceVerifyOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := evidence.Check(ctx, o.Dir, o.key)
	if err != nil {
		return exitcode.WithCode(exitcode.CouldNotCheck, err)
	}
	w := o.env.Streams.Out
	if !c.Intact() {
		fmt.Fprintf(w, "✗ %s is not intact: %s\n", sanitize.Text(o.Dir), phrase.Count(len(c.Problems), "problem", "problems"))
		for _, p := range c.Problems {
			fmt.Fprintf(w, "  ✗ %s: %s\n", sanitize.Text(p.File), sanitize.Text(p.Reason))
		}
		return exitcode.Silent(exitcode.Failed)
	}
	if c.Signed() {
		fmt.Fprintf(w, "✔ %s is intact and signed by key %s\n", sanitize.Text(o.Dir), o.key.KeyID())
	} else {
		fmt.Fprintf(w, "⚠ %s is not signed: only its hashes were checked, and whoever can write the folder can rewrite a report with its SHA256SUMS\n", sanitize.Text(o.Dir))
	}
	for _, f := range c.Folders {
		describe(w, f)
	}
	if !c.Signed() && !o.AllowUnsigned {
		return exitcode.Silent(exitcode.Failed)
	}
	return nil
}

// describe prints what one folder's statement says.
func describe(w io.Writer, f evidence.Folder) {
	switch {
	case f.Path != "":
		fmt.Fprintf(w, "  %s/\n", sanitize.Text(f.Path))
	case f.ClusterID == "" && f.Context == "":
		fmt.Fprintf(w, "  the fleet (index.json and every folder)\n")
	}
	if f.ClusterID != "" || f.Context != "" {
		fmt.Fprintf(w, "    cluster   %s (context %s, %s)\n", sanitize.Text(f.ClusterID), sanitize.Text(f.Context), sanitize.Text(f.Server))
	}
	if !f.StartTime.IsZero() {
		fmt.Fprintf(w, "    verified  %s\n", f.StartTime.UTC().Format(time.RFC3339))
	}
	if f.Verdict != "" {
		fmt.Fprintf(w, "    verdict   %s (%s)\n", sanitize.Text(f.Verdict), f.Result)
	}
	fmt.Fprintf(w, "    files     %d, and SHA256SUMS agrees\n", f.Files)
}
