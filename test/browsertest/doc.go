// Package browsertest drives headless chromium for the tests of the HTML report, offline and with a fresh profile.
package browsertest
