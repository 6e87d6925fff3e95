// Package plugintest is the harness the test packages share: it runs the
// built plugin binary the way a user's shell would, and writes and reads the
// files (kubeconfigs, fixtures, release archives) those tests need.
package plugintest
