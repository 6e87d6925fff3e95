// Package waiver reads the Waivers file users write and applies its
// accepted exceptions, with their expiry, to verify's results.
package waiver
