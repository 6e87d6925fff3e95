// Package seed dresses a local cluster (kwok or envtest) as the reference's
// AKS regulated cluster of an era: node pools, add-ons, Gatekeeper policies,
// identities, and the status no controller there would write.
package seed
