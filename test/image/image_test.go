package image

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/aksbaseline/kubectl-aksbaseline/pkg/profile"
	"github.com/aksbaseline/kubectl-aksbaseline/pkg/verifier"
	"github.com/aksbaseline/kubectl-aksbaseline/test/plugintest"
)

// readImage opens the one image of the layout at dir.
func readImage(t *testing.T, dir string) (v1.Image, v1.Descriptor) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("the layout holds %d manifests, want 1", len(im.Manifests))
	}
	desc := im.Manifests[0]
	img, err := idx.Image(desc.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img, desc
}

// commitTime is the Makefile's BUILD_DATE: the checked-out commit's time.
func commitTime(t *testing.T) time.Time {
	sec, err := strconv.ParseInt(git(t, "log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(sec, 0).UTC()
}

// TestImageIsReproducible: two builds of the same commit give the same
// digest, the one 'make image' printed, and the same bytes in every file
// of the layout.
func TestImageIsReproducible(t *testing.T) {
	if digests[0] == "" || digests[0] != digests[1] {
		t.Fatalf("make image printed digests %q and %q, want one and the same", digests[0], digests[1])
	}
	_, desc := readImage(t, layoutDir)
	if desc.Digest.String() != digests[0] {
		t.Errorf("the layout's manifest is %s, make image printed %s", desc.Digest, digests[0])
	}
	if desc.MediaType != types.OCIManifestSchema1 || desc.Annotations["org.opencontainers.image.ref.name"] != version {
		t.Errorf("index entry %s tagged %q, want an OCI manifest tagged %s", desc.MediaType, desc.Annotations["org.opencontainers.image.ref.name"], version)
	}
	files := func(dir string) map[string]string {
		out := map[string]string{}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			out[rel] = string(b)
			info, _ := d.Info()
			if info.Mode().Perm() != 0o644 {
				t.Errorf("%s: mode %v, want 0644", rel, info.Mode().Perm())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := files(layoutDir), files(againDir)
	if len(a) != 5 { // oci-layout, index.json, manifest, config, layer
		t.Errorf("the layout holds %d files, want 5", len(a))
	}
	for name, content := range a {
		if b[name] != content {
			t.Errorf("%s differs between the two builds", name)
		}
	}
}

// TestImageConfig reads the manifest and config: OCI media types, valid
// digests and sizes throughout, linux/amd64, the binary as entrypoint, a
// numeric non-root user, and the OCI labels.
func TestImageConfig(t *testing.T) {
	img, _ := readImage(t, layoutDir)
	if err := validate.Image(img); err != nil {
		t.Fatalf("go-containerregistry's validate: %v", err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest %s, config %s, layers %+v: want OCI types and one gzip layer", m.MediaType, m.Config.MediaType, m.Layers)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s, want linux/amd64", cf.OS, cf.Architecture)
	}
	if got := strings.Join(cf.Config.Entrypoint, " "); got != "/kubectl-aksbaseline" || len(cf.Config.Cmd) != 0 {
		t.Errorf("entrypoint %q, cmd %q: want the binary alone (the CronJob gives the arguments)", got, cf.Config.Cmd)
	}
	uid, gid, ok := strings.Cut(cf.Config.User, ":")
	if u, err := strconv.Atoi(uid); !ok || err != nil || u == 0 || gid == "0" {
		t.Errorf("user %q, want numeric UID:GID, not root (a runAsNonRoot kubelet can only check a number)", cf.Config.User)
	}
	created := commitTime(t)
	if !cf.Created.Time.Equal(created) || len(cf.History) != 1 || !cf.History[0].Created.Time.Equal(created) {
		t.Errorf("created %v, history %+v: want the commit's time %v throughout", cf.Created, cf.History, created)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   source,
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.revision": git(t, "rev-parse", "HEAD"),
		"org.opencontainers.image.created":  created.Format(time.RFC3339),
	}
	for k, v := range want {
		if cf.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, cf.Config.Labels[k], v)
		}
		if m.Annotations[k] != v {
			t.Errorf("manifest annotation %s = %q, want %q", k, m.Annotations[k], v)
		}
	}
}

// TestImageLayerHoldsTheBinaryAndNothingToRunButIt lists the layer (root
// owns everything, the commit's time on every entry, no shell) and runs
// the binary taken out of it.
func TestImageLayerHoldsTheBinaryAndNothingToRunButIt(t *testing.T) {
	img, _ := readImage(t, layoutDir)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	created := commitTime(t)
	var names []string
	var binary []byte
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(created) {
			t.Errorf("%s: owner %d:%d (%q:%q), time %v: want 0:0 without names at %v", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime, created)
		}
		if h.Typeflag == tar.TypeReg && h.Mode&0o022 != 0 {
			t.Errorf("%s: mode %o is writable by others than root", h.Name, h.Mode)
		}
		if h.Name == "kubectl-aksbaseline" {
			if h.Mode != 0o755 {
				t.Errorf("%s: mode %o, want 755", h.Name, h.Mode)
			}
			if binary, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := strings.Join(names, " "); got != "LICENSE etc/ etc/group etc/passwd kubectl-aksbaseline tmp/" {
		t.Fatalf("layer holds %s; want the binary, LICENSE, the nonroot account and /tmp, and no shell", got)
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the image's linux/amd64 binary cannot run on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	bin := filepath.Join(t.TempDir(), "kubectl-aksbaseline")
	if err := os.WriteFile(bin, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	r := plugintest.Run(t, plugintest.Cmd{Name: bin, Args: []string{"version", "--client", "-o", "json"}})
	var rep struct {
		ClientVersion struct{ Version, Commit, BuildDate, Platform string }
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &rep) != nil {
		t.Fatalf("version --client -o json: %s", r)
	}
	got := rep.ClientVersion
	if got.Version != version || got.Commit != git(t, "rev-parse", "HEAD") || got.BuildDate != created.Format(time.RFC3339) || got.Platform != "linux/amd64" {
		t.Errorf("the image's binary says %+v; want %s built from HEAD at the commit's time for linux/amd64", got, version)
	}
}

// TestImageFitsTheVerifierFolder: the CronJob 'configure --add-verifier'
// writes runs this image as it is built (its user, its entrypoint taking
// verify's arguments, its name under live/), and the README's push and
// import steps name the same repository.
func TestImageFitsTheVerifierFolder(t *testing.T) {
	img, _ := readImage(t, layoutDir)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := profile.Load("")
	if err != nil {
		t.Fatal(err)
	}
	files, err := verifier.Files(verifier.Options{Every: time.Hour, Tag: version, APIServerCIDR: verifier.DefaultAPIServerCIDR}, p)
	if err != nil {
		t.Fatal(err)
	}
	var cj batchv1.CronJob
	if err := yaml.Unmarshal(files["cronjob.yaml"], &cj); err != nil {
		t.Fatal(err)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	sc, c := pod.SecurityContext, pod.Containers[0]
	if got := fmt.Sprintf("%d:%d", *sc.RunAsUser, *sc.RunAsGroup); got != cf.Config.User {
		t.Errorf("the CronJob runs as %s, the image as %s", got, cf.Config.User)
	}
	if len(c.Command) != 0 || len(c.Args) == 0 || c.Args[0] != "verify" {
		t.Errorf("command %q, args %q: the CronJob must keep the image's entrypoint and give it verify's arguments", c.Command, c.Args)
	}
	if !strings.HasSuffix(c.Image, ".azurecr.io/"+verifier.ImageRepository+":"+version) {
		t.Errorf("the CronJob runs %s, want the ACR's %s:%s", c.Image, verifier.ImageRepository, version)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	quarantine := "quarantine/" + strings.TrimPrefix(verifier.ImageRepository, "live/")
	for _, want := range []string{"make image", quarantine + ":", verifier.ImageRepository + ":", "az acr import"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not mention %q", want)
		}
	}
}
