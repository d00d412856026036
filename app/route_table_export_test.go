package app

// (A _test file of package app: exported to the app_test tests only.)
//
// RouteInfo is one row of the route table as tests see it: the walk of every
// route with bad input (bad_input_test.go) reads the table itself, so a new
// route is covered the day it is added.
type RouteInfo struct {
	Method string
	Path   string // Fiber pattern, e.g. /leads/:id<int>
	Access Access
	Hot    bool // served before the session, CSRF and input middleware
}

// RouteTable lists hotRoutes() then routes().
func RouteTable() []RouteInfo {
	h := &Handler{} // the table only names methods; nothing is called
	var out []RouteInfo
	for _, r := range h.hotRoutes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Access: r.access, Hot: true})
	}
	for _, r := range h.routes() {
		out = append(out, RouteInfo{Method: r.method, Path: r.path, Access: r.access})
	}
	return out
}
