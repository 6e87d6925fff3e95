// Package crd waits until CustomResourceDefinitions are established, the one
// wait every part of the simulation needs before it uses a custom kind.
package crd
