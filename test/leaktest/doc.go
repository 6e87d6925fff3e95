// Package leaktest searches what a test wrote for Secret values and credentials it planted or knows.
package leaktest
