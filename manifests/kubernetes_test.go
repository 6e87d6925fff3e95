package manifests

import "testing"

func TestSupportsKubernetes(t *testing.T) {
	cases := []struct {
		version string
		want    bool
		err     bool
	}{
		{"v1.33.0", true, false},
		{"v1.34.4", true, false},
		{"v1.33.2+aks.1", true, false},
		{"v1.33.0-rc.1", true, false}, // the range's -0 floor admits pre-releases of the minimum
		{"v1.32.9", false, false},
		{"v1.32.10-gke.1", false, false},
		{"v2.0.0", true, false},
		{"", false, true},
		{"v1.x", false, true},
	}
	for _, c := range cases {
		got, err := SupportsKubernetes(c.version)
		if (err != nil) != c.err {
			t.Errorf("SupportsKubernetes(%q) error = %v, want error %v", c.version, err, c.err)
			continue
		}
		if got != c.want {
			t.Errorf("SupportsKubernetes(%q) = %v, want %v", c.version, got, c.want)
		}
	}
}
