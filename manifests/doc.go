// Package manifests embeds the Flux install that bootstrap applies and holds
// the versions that go with it, read by bootstrap and by verify's Flux checks.
package manifests
