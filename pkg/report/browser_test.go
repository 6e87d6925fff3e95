package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aksbaseline/kubectl-aksbaseline/test/browsertest"
)

// The browser test opens the HTML report in Debian's chromium, headless, as
// an assessor's browser would ('make chromium' installs it). Its screenshot
// and PDF are kept for a person to look at: in $TEST_ARTIFACTS when set,
// else in pkg/report/testdata/out (ignored by git).

func writePage(t *testing.T, dir, name, page string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(p)
}

func TestHTMLInBrowser(t *testing.T) {
	bin := browsertest.Chromium(t)
	out := browsertest.Artifacts(t, "report-html")
	page := renderHTML(t, rich())
	url := writePage(t, out, "report.html", page)

	// The rendered DOM: rows and statuses present, cluster markup as text.
	dom, reqs := browsertest.DumpDOM(t, bin, url)
	browsertest.HasAll(t, dom,
		`data-check="images-placeholders" data-status="fail"`,
		`data-check="secrets-tls-secret" data-status="fail"`,
		`data-check="nodes-cordoned" data-status="waived"`,
		`data-check="nodes-ready" data-status="pass"`,
		`data-requirement="10.5.1" data-state="not verifiable"`,
		`id="verdict">failed<`,
		`data-group="resolved"`,
		`data-kind="expired"`, `data-kind="stale"`,
		`<th class="n">skip</th>`,
		`class="warn-reason">the profile does not require the taint`,
	)
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
	if len(reqs) != 0 {
		t.Errorf("the report requested %v", reqs)
	}
	canary := writePage(t, t.TempDir(), "canary.html", strings.Replace(page, "<body>", `<body><img src="http://canary.invalid/pixel.png">`, 1))
	if _, reqs := browsertest.DumpDOM(t, bin, canary); len(reqs) != 1 || !strings.Contains(reqs[0], "canary.invalid") {
		t.Errorf("the net log check did not see the canary's request: %v", reqs)
	}

	// A screenshot for a person, and the PDF an assessor would print: one
	// page break per section at least.
	shot := browsertest.Screenshot(t, bin, out, url)
	pdf := filepath.Join(out, "report.pdf")
	browsertest.Run(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, url)
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
