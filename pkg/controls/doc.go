// Package controls maps verify's checks to the PCI DSS v4.0.1 requirements
// they give evidence for, as one table of data a QSA's reading can replace.
package controls
