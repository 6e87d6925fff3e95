// Package evidence writes the folder an assessor keeps from a verify run:
// reports, profile, waivers, inventory, cluster and tool identity, hashes.
package evidence
