// Package static holds the files served under /static: vendored htmx 2.0.11,
// Pico CSS 2.1.1 and the portal's own small CSS and JS files (no inline
// scripts anywhere: the Content-Security-Policy forbids them).
package static

import "embed"

// FS holds every static file.
//
//go:embed *.js *.css *.svg
var FS embed.FS
