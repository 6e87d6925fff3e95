package report

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The browser test opens the HTML report in Debian's chromium, headless, as
// an assessor's browser would ('make chromium' installs it). Its screenshot
// and PDF are kept for a person to look at: in $TEST_ARTIFACTS when set,
// else in pkg/report/testdata/out (ignored by git).

func chromium(t *testing.T) string {
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

func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	dir, err := filepath.Abs(filepath.Join(dir, "report-html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runChromium runs one headless chromium with a fresh profile. The flags
// stop its own background traffic, and the resolver rule keeps anything
// that slips through from leaving the machine: no name resolves.
func runChromium(t *testing.T, bin string, args ...string) []byte {
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

// pageRequests reads a chromium net log and returns the URLs the page
// asked for. Chromium's own requests have no origin ("not an origin");
// those a document makes carry its origin ("null" for a file).
func pageRequests(t *testing.T, netlog string) []string {
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

func writePage(t *testing.T, dir, name, page string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(p)
}

func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	out := artifacts(t)
	page := renderHTML(t, rich())
	url := writePage(t, out, "report.html", page)

	// The rendered DOM: rows and statuses present, cluster markup as text.
	netlog := filepath.Join(t.TempDir(), "net.json")
	dom := string(runChromium(t, bin, "--log-net-log="+netlog, "--net-log-capture-mode=Default", "--dump-dom", url))
	for _, want := range []string{
		`data-check="images-placeholders" data-status="fail"`,
		`data-check="secrets-tls-secret" data-status="fail"`,
		`data-check="nodes-cordoned" data-status="waived"`,
		`data-check="nodes-ready" data-status="pass"`,
		`data-requirement="10.5.1" data-state="not verifiable"`,
		`id="verdict">failed<`,
		`data-group="resolved"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if n := strings.Count(dom, `class="check `); n != 8 {
		t.Errorf("%d checks rendered, want 8", n)
	}
	if strings.Contains(dom, "<b>x</b>") || strings.Contains(strings.ToLower(dom), "<script") {
		t.Error("markup from the cluster became elements in the browser")
	}
	if !strings.Contains(dom, "<li class=\"id\">Pod/a0005-i/&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</li>") {
		t.Error("the object name carrying HTML is not rendered as its text")
	}

	// No request from the page. A canary page proves the net log sees one.
	if reqs := pageRequests(t, netlog); len(reqs) != 0 {
		t.Errorf("the report requested %v", reqs)
	}
	canary := writePage(t, t.TempDir(), "canary.html", strings.Replace(page, "<body>", `<body><img src="http://canary.invalid/pixel.png">`, 1))
	canaryLog := filepath.Join(t.TempDir(), "net.json")
	runChromium(t, bin, "--log-net-log="+canaryLog, "--net-log-capture-mode=Default", "--dump-dom", canary)
	if reqs := pageRequests(t, canaryLog); len(reqs) != 1 || !strings.Contains(reqs[0], "canary.invalid") {
		t.Errorf("the net log check did not see the canary's request: %v", reqs)
	}

	// A screenshot for a person, and the PDF an assessor would print: one
	// page break per section at least.
	shot := filepath.Join(out, "report.png")
	runChromium(t, bin, "--hide-scrollbars", "--window-size=1280,2000", "--screenshot="+shot, url)
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	pdf := filepath.Join(out, "report.pdf")
	runChromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, url)
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, m := range regexp.MustCompile(`/Count (\d+)`).FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		pages = max(pages, n)
	}
	if pages < 4 {
		t.Errorf("the PDF has %d pages; each of the 4 sections should start a page", pages)
	}
	t.Logf("screenshot %s, PDF %s (%d pages)", shot, pdf, pages)
}
