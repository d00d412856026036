package app

// RouteInfo is one entry of the route table, for tests that walk every route
// (the accessibility run visits every GET page for each role).
type RouteInfo struct {
	Method, Path string
	Access       Access
}

// RouteTable lists the route table (app/routes.go) without its handlers.
func RouteTable() []RouteInfo {
	var out []RouteInfo
	for _, r := range (&Handler{}).routes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Access: r.access})
	}
	return out
}
