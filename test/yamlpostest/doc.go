// Package yamlpostest holds what the fuzz targets of the user-written file
// parsers share: seeding from fixtures and the rule for rejections.
package yamlpostest
