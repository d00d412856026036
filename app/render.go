package app

import (
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/bytebufferpool"
)

// Page is the data every template receives.
type Page struct {
	Title   string
	Summary string // the meta description (the layout has a default)
	Section string // highlighted navigation entry
	User    *User
	CSRF    string
	Unread  int64
	Flash   string
	Errors  map[string]string // field name → message
	Form    map[string]string // submitted values, echoed back on error
	Data    any
	Meta    *PageMeta     // canonical URL and OpenGraph tags (public pages)
	Body    template.HTML // the page's own HTML, inside the layout (renderInLayout)
}

// PageMeta is what a public page tells search engines and link previews.
type PageMeta struct {
	Canonical, OGTitle, OGDescription, OGImage string
}

// newPage starts the page data for the current request.
func (h *Handler) newPage(c *fiber.Ctx, title string) *Page {
	return &Page{Title: title, User: currentUser(c), CSRF: csrfToken(c), Flash: h.takeFlash(c)}
}

// countUnread fills in the top bar's unread count. Only a whole page shows
// the top bar, so a fragment skips the query.
func (h *Handler) countUnread(c *fiber.Ctx, p *Page) {
	if p.User == nil {
		return
	}
	if n, err := h.Store.CountUnreadNotifications(c.Context(), unreadParams(p.User)); err == nil {
		p.Unread = n
	}
}

// isFragmentRequest is true for an htmx request that wants a fragment: not a
// boosted navigation and not a history restore, which both need the page.
func isFragmentRequest(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Boosted") == "" &&
		c.Get("HX-History-Restore-Request") == ""
}

// render is the one place that picks full page or fragment. page names a
// template in pages/ (rendered in the layout); fragment, if not empty, names
// the partial an htmx request gets instead.
func (h *Handler) render(c *fiber.Ctx, status int, page, fragment string, p *Page) error {
	c.Vary("HX-Request")
	c.Status(status)
	if fragment != "" && isFragmentRequest(c) {
		if status == fiber.StatusUnprocessableEntity && len(p.Errors) > 0 && len(c.Response().Header.Peek(announceAlertHeader)) == 0 {
			announceError(c, errorSummary(p.Errors))
		}
		return c.Render(fragment, p, "")
	}
	h.countUnread(c, p)
	return h.renderInLayout(c, page, p)
}

// renderInLayout executes a page template, then layouts/base around it
// ({{.Body}}), into the response. The template engine's own layouts take a
// lock around the whole rendering (gofiber/template sets the layout's
// embed function on the shared template for each render), so whole pages
// were rendered one at a time: under 16 connections /dashboard queued behind
// that lock (docs/BENCHMARKS.md, issue 10). Executing an html/template
// concurrently is safe; nothing here changes a template.
func (h *Handler) renderInLayout(c *fiber.Ctx, page string, p *Page) error {
	t, layout := h.views.Templates.Lookup(page), h.views.Templates.Lookup("layouts/base")
	if t == nil || layout == nil {
		return fmt.Errorf("render: template %s or layouts/base does not exist", page)
	}
	body := bytebufferpool.Get()
	defer bytebufferpool.Put(body)
	if err := t.Execute(body, p); err != nil {
		return err
	}
	p.Body = template.HTML(body.B) //nolint:gosec // our own template's output, escaped when it was executed
	out := bytebufferpool.Get()
	defer bytebufferpool.Put(out)
	err := layout.Execute(out, p)
	p.Body = "" // the pooled buffer goes back after this
	if err != nil {
		return err
	}
	c.Response().Header.SetContentType(fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(out.B)
	return nil
}

// redirect sends the browser elsewhere after a POST (303), or tells htmx to.
func redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// After an htmx swap, static/app.js moves focus where a keyboard user
// expects it and reads the outcome out in the layout's live regions
// (#announce-status, polite; #announce-alert, assertive), which are never
// swapped. A handler says what to read with these helpers; they set response
// headers (percent-encoded: header values are ASCII) and are ignored by a
// full page load, which has the flash for that.
const (
	announceHeader      = "X-Announce"       // polite: "Approved Lumen Energy.", "42 leads"
	announceAlertHeader = "X-Announce-Alert" // assertive: what went wrong
	focusHeader         = "X-Focus"          // a CSS selector to focus after the swap
)

// announce reads msg out politely after the swap (the result of an action
// or a filter).
func announce(c *fiber.Ctx, msg string) {
	if msg = strings.TrimSpace(msg); msg != "" {
		c.Set(announceHeader, url.PathEscape(msg))
	}
}

// announceError reads msg out at once (an error). render calls it for a 422
// fragment with field errors when the handler did not.
func announceError(c *fiber.Ctx, msg string) {
	if msg = strings.TrimSpace(msg); msg != "" {
		c.Set(announceAlertHeader, url.PathEscape(msg))
	}
}

// focusAfterSwap names the element (CSS selector) that gets the focus after
// the swap when the default (the same control, else the first invalid
// field, else the new row or the region's heading) is not right.
func focusAfterSwap(c *fiber.Ctx, selector string) {
	c.Set(focusHeader, url.PathEscape(selector))
}

// errorSummary joins field errors into one sentence list, in field order.
func errorSummary(errs map[string]string) string {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, 0, len(keys))
	for _, k := range keys {
		msgs = append(msgs, errs[k])
	}
	return strings.Join(msgs, " ")
}
