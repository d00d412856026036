package app

// RouteEntry is one entry of the route table, for tests that walk every route
// (the accessibility run visits every GET page for each role).
type RouteEntry struct {
	Method, Path string
	Access       Access
}

// RouteEntries lists the route table (app/routes.go) without its handlers.
func RouteEntries() []RouteEntry {
	var out []RouteEntry
	for _, r := range (&Handler{}).routes() {
		out = append(out, RouteEntry{Method: r.method, Path: r.path, Access: r.access})
	}
	return out
}
