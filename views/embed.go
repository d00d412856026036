// Package views holds the html/template files. Template names carry their
// folder ("leads/rows"), because the engine puts every {{define}} into one
// namespace.
package views

import "embed"

// FS holds every template.
//
//go:embed layouts pages partials
var FS embed.FS
