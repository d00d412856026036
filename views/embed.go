// Package views holds the html/template files, one folder per area
// (layouts, pages, partials, leads, dashboard, review, …). Template names
// carry their folder ("leads/rows"), because the engine puts every {{define}}
// into one namespace.
package views

import "embed"

// FS holds every template.
//
//go:embed */*.html
var FS embed.FS
