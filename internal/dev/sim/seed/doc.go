// Package seed dresses a local cluster (kwok or envtest) as the reference's
// AKS regulated cluster of an era: node pools, add-ons, Gatekeeper policies,
// identities, the status no controller there would write, and for the
// benchmarks the pods of a busy cluster at scale (Pods).
package seed
