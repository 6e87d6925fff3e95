// Package kubeerr turns the errors of kubeconfig loading and API access into
// one or two plain lines that say what is wrong and what to do about it.
package kubeerr
