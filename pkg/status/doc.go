// Package status reads the fleet's state from the ClusterReports the
// in-cluster verifier wrote, one GET per cluster, and judges each report's
// verdict and age; it runs no check.
package status
