// Package plugintest is the harness shared by the test packages that run the built plugin binary the way a user's shell would.
package plugintest
