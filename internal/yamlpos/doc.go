// Package yamlpos turns mistakes in the YAML files users write (profiles,
// waivers) into FILE:LINE problems.
package yamlpos
