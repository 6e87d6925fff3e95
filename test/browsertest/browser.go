package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Chromium returns Debian's chromium, skipping t where it is missing
// outside CI ('make chromium' installs it) and failing t in CI.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: CI must run 'make chromium' (apt-get install -y chromium) before the tests")
	}
	t.Skip("chromium is not installed: 'make chromium' installs it")
	return ""
}

// Artifacts returns the folder a test keeps its screenshots in, for a
// person to look at: $TEST_ARTIFACTS/name when set, else
// testdata/out/name under the test's package (ignored by git).
func Artifacts(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	dir, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Run runs one headless chromium with a fresh profile. The flags
// stop its own background traffic, and the resolver rule keeps anything
// that slips through from leaving the machine: no name resolves.
func Run(t testing.TB, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// PageRequests reads a chromium net log and returns the URLs the page
// asked for. Chromium's own requests have no origin ("not an origin");
// those a document makes carry its origin ("null" for a file).
func PageRequests(t testing.TB, netlog string) []string {
	t.Helper()
	b, err := os.ReadFile(netlog)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				Initiator string `json:"initiator"`
				URL       string `json:"url"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("net log: %v", err)
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("the net log names no URL_REQUEST_START_JOB event: chromium changed its format")
	}
	var out []string
	for _, e := range log.Events {
		if e.Type == start && e.Params.URL != "" && e.Params.Initiator != "not an origin" {
			out = append(out, e.Params.URL)
		}
	}
	return out
}

// DumpDOM renders url and returns the DOM chromium built and the URLs the
// page requested (none, for a self-contained page).
func DumpDOM(t testing.TB, bin, url string) (dom string, requests []string) {
	t.Helper()
	netlog := filepath.Join(t.TempDir(), "net.json")
	out := Run(t, bin, "--log-net-log="+netlog, "--net-log-capture-mode=Default", "--dump-dom", url)
	return string(out), PageRequests(t, netlog)
}

// HasAll fails t once for each fragment the rendered DOM lacks.
func HasAll(t testing.TB, dom string, fragments ...string) {
	t.Helper()
	for _, want := range fragments {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
}

// Screenshot saves dir/report.png of url for a person to look at, failing
// t when the file is missing or too small to show a page, and returns its
// path.
func Screenshot(t testing.TB, bin, dir, url string) string {
	t.Helper()
	shot := filepath.Join(dir, "report.png")
	Run(t, bin, "--hide-scrollbars", "--window-size=1280,2000", "--screenshot="+shot, url)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	return shot
}
