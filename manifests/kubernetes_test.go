package manifests

import "testing"

func TestSupportsKubernetes(t *testing.T) {
	// By verdict: the minimum and later, AKS build metadata, and the -0
	// floor admitting pre-releases of the minimum itself.
	for _, v := range []string{"v1.33.0", "v1.34.4", "v1.33.2+aks.1", "v1.33.0-rc.1", "v2.0.0"} {
		if ok, err := SupportsKubernetes(v); !ok || err != nil {
			t.Errorf("SupportsKubernetes(%q) = %v, %v; want true", v, ok, err)
		}
	}
	for _, v := range []string{"v1.32.9", "v1.32.10-gke.1"} {
		if ok, err := SupportsKubernetes(v); ok || err != nil {
			t.Errorf("SupportsKubernetes(%q) = %v, %v; want false", v, ok, err)
		}
	}
	for _, v := range []string{"", "v1.x"} {
		if _, err := SupportsKubernetes(v); err == nil {
			t.Errorf("SupportsKubernetes(%q): want an error for a version that does not parse", v)
		}
	}
}

func TestImageTag(t *testing.T) {
	for image, want := range map[string]string{
		"ghcr.io/fluxcd/source-controller:v0.8.1":                       "v0.8.1",
		"acraks1.azurecr.io/live/fluxcd/source-controller:v1.9.5":       "v1.9.5",
		"localhost:5000/fluxcd/source-controller":                       "",
		"ghcr.io/fluxcd/source-controller:v1.9.5@sha256:0123456789abcd": "v1.9.5",
		"ghcr.io/fluxcd/source-controller":                              "",
	} {
		if got := ImageTag(image); got != want {
			t.Errorf("ImageTag(%q) = %q, want %q", image, got, want)
		}
	}
}
