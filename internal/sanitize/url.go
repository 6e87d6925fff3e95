package sanitize

import (
	"net/url"
	"regexp"
	"strings"
)

// URL drops user info, query and fragment from an address: a kubeconfig or
// --server may carry a password or token there, and no output may.
// Something that does not parse as a URL loses the same parts by hand.
func URL(s string) string {
	if u, err := url.Parse(s); err == nil {
		u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
		return u.String()
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	rest, scheme := s, ""
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, rest = s[:i+3], s[i+3:]
	}
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host = rest[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	return scheme + rest
}

// urlInText finds what looks like a URL in free text (an error message:
// `Get "https://u:p@host/api?token=x": dial tcp ...`).
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// URLs applies URL to every URL in text.
func URLs(text string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	return urlInText.ReplaceAllStringFunc(text, URL)
}

// Message is Lines after URLs: for free text the tool prints that may quote
// a request URL (an error, a progress line, a client-go log line).
func Message(text string) string { return Lines(URLs(text)) }
