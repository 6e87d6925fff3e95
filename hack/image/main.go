// Command image builds the in-cluster verifier's container image without a
// container engine: the static linux/amd64 binary in one layer, run as a
// non-root user, written as an OCI image layout. 'make image' runs it with
// the Makefile's VERSION, COMMIT, LDFLAGS and BUILD_DATE (the commit's
// time), so building the same commit twice gives the same digest.
//
//	go run ./hack/image -version v0.1.0 -revision SHA -created 2026-01-02T03:04:05Z -ldflags "…" -source URL -out dist/image
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aksbaseline/kubectl-aksbaseline/hack/internal/devcmd"
	"github.com/aksbaseline/kubectl-aksbaseline/hack/release"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
)

// tagPattern is what the OCI distribution spec allows as a tag.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

func main() { devcmd.Main(run) }

func run() error {
	var (
		version  = flag.String("version", "", "the image's tag and version label: the version the binary is stamped with")
		revision = flag.String("revision", "", "the commit the image is built from (revision label)")
		created  = flag.String("created", "", "creation time of the image and every file in it, RFC 3339 (the commit's time)")
		ldflags  = flag.String("ldflags", "", "linker flags (the Makefile's LDFLAGS)")
		source   = flag.String("source", "", "the repository's URL (source label)")
		out      = flag.String("out", "dist/image", "the OCI image layout folder to write (replaced)")
		license  = flag.String("license", "LICENSE", "license file the image carries")
		pkg      = flag.String("pkg", "./cmd/kubectl-aksbaseline", "main package")
	)
	flag.Parse()
	if !tagPattern.MatchString(*version) {
		return fmt.Errorf("-version %q is not a valid image tag", *version)
	}
	if *revision == "" || *source == "" {
		return fmt.Errorf("-revision and -source are required (the image's labels)")
	}
	when, err := time.Parse(time.RFC3339, *created)
	if err != nil {
		return fmt.Errorf("-created: %w", err)
	}
	lic, err := os.ReadFile(*license)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "aksbaseline-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	start := time.Now()
	fmt.Fprintf(os.Stderr, "► building %s %s\n", release.Binary, platform)
	bin := filepath.Join(work, release.Binary)
	if err := release.Build(*pkg, *ldflags, platform, bin); err != nil {
		return err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	img, err := newImage(binary, lic, labels{Version: *version, Revision: *revision, Source: *source, Created: when})
	if err != nil {
		return err
	}
	digest, err := writeLayout(*out, img, *version)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "✔ %s: OCI image layout, tag %s (%s)\n", *out, *version, time.Since(start).Round(time.Second))
	quarantine := "quarantine/" + strings.TrimPrefix(verifier.ImageRepository, "live/")
	fmt.Fprintf(os.Stderr, "◎ to run it: crane push %s $ACR_NAME.azurecr.io/%s:%s, then az acr import it to %s:%s (README: the in-cluster verifier's image)\n",
		*out, quarantine, *version, verifier.ImageRepository, *version)
	fmt.Println(digest)
	return nil
}
