package app

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// csp allows scripts and styles from our own origin only: no inline script,
// no eval (htmx runs with allowEval=false), no framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; " +
	"base-uri 'none'; object-src 'none'"

// cspWithFrameAncestors is the same policy with another frame-ancestors
// directive (the partner directory's allow-list, app/directory.go).
func cspWithFrameAncestors(directive string) string {
	return strings.Replace(csp, "frame-ancestors 'none'", directive, 1)
}

// hsts is sent when BASE_URL is https: browsers then refuse plain HTTP to
// this host for two years, so a session cookie never travels in clear.
const hsts = "max-age=63072000; includeSubDomains"

func (h *Handler) securityHeaders(c *fiber.Ctx) error {
	if h.Config.Secure() {
		c.Set("Strict-Transport-Security", hsts)
	}
	c.Set("Content-Security-Policy", csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	return c.Next()
}

const localUser = "user"

func currentUser(c *fiber.Ctx) *User {
	u, _ := c.Locals(localUser).(*User)
	return u
}

// cookieName adds the __Host- prefix when the portal runs on HTTPS: such a
// cookie must be Secure, host-only and Path=/, so a sibling domain cannot plant it.
func (h *Handler) cookieName(base string) string {
	if h.Config.Secure() {
		return "__Host-" + base
	}
	return base
}

func (h *Handler) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{
		Name: h.cookieName(name), Value: value, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: h.Config.Secure(),
	}
	if maxAge < 0 {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	} else if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

// loadSession resolves the session cookie to a user. Sessions slide: each
// request (at most once a minute) pushes the expiry to now+idle, capped at
// sign-in+max age.
func (h *Handler) loadSession(c *fiber.Ctx) error {
	raw := c.Cookies(h.cookieName("session"))
	if raw == "" || !secret.WellFormed(raw) {
		return c.Next()
	}
	hash := secret.Hash(raw)
	row, err := h.Store.GetSessionUser(c.Context(), queries.GetSessionUserParams{Now: h.Clock.Now(), IDHash: hash})
	if queries.IsNotFound(err) {
		h.setCookie(c, "session", "", -1)
		return c.Next()
	}
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	if now.Sub(row.LastSeenAt) > time.Minute {
		exp := now.Add(h.Config.SessionIdle)
		if hard := row.SessionCreatedAt.Add(h.Config.SessionMaxAge); exp.After(hard) {
			exp = hard
		}
		if err := h.Store.TouchSession(c.Context(), queries.TouchSessionParams{Now: h.Clock.Now(), IDHash: hash, ExpiresAt: exp}); err != nil {
			return err
		}
	}
	c.Locals(localUser, userFromSession(row))
	// Nothing a signed-in user sees may be kept by the browser or a proxy:
	// after sign-out, Back must not show the pages again.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// CSRF: a random token in an HttpOnly cookie, repeated by every form (hidden
// _csrf field) and every htmx request (X-CSRF-Token header, set on <body> via
// hx-headers). A cross-site page can make the browser send the cookie but
// cannot read it to repeat it. Fetch metadata refuses cross-site requests
// outright as a second line.
const localCSRF = "csrf"

func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(localCSRF).(string)
	return t
}

func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	tok := c.Cookies(h.cookieName("csrf"))
	if !secret.WellFormed(tok) {
		tok = secret.New()
		h.setCookie(c, "csrf", tok, 0)
	}
	c.Locals(localCSRF, tok)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return fiber.NewError(fiber.StatusForbidden, "This request came from another site and was refused.")
	}
	if origin := c.Get("Origin"); origin != "" && origin != "null" {
		if u, err := url.Parse(origin); err != nil || u.Host != h.Config.BaseURL.Host {
			return fiber.NewError(fiber.StatusForbidden, "This request came from another site and was refused.")
		}
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" && streamedUpload(c) {
		// The token arrives as the body's first field; the upload handler
		// checks it (checkStreamedCSRF) before it stores anything.
		c.Locals(localCSRFDeferred, true)
		return c.Next()
	}
	if sent == "" {
		sent = c.FormValue("_csrf")
	}
	if subtle.ConstantTimeCompare([]byte(sent), []byte(tok)) != 1 {
		return fiber.NewError(fiber.StatusForbidden,
			"Your form expired or came from somewhere else. Reload the page and try again.")
	}
	return c.Next()
}

const localCSRFDeferred = "csrf-deferred"

// checkStreamedCSRF compares the token sent as a streamed upload's first
// field, when the middleware left it to the handler.
func checkStreamedCSRF(c *fiber.Ctx, sent string) error {
	if deferred, _ := c.Locals(localCSRFDeferred).(bool); !deferred {
		return nil
	}
	tok, _ := c.Locals(localCSRF).(string)
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(tok)) != 1 {
		return fiber.NewError(fiber.StatusForbidden,
			"Your form expired or came from somewhere else. Reload the page and try again.")
	}
	return nil
}

// Flash messages survive one redirect in a short-lived cookie.
func (h *Handler) flash(c *fiber.Ctx, msg string) {
	h.setCookie(c, "flash", url.QueryEscape(msg), time.Minute)
}

// takeFlash reads the flash under the same name the session cookie has: on
// https only the __Host- cookie, which a sibling domain cannot plant, so no
// one can put words on our pages through a cookie.
func (h *Handler) takeFlash(c *fiber.Ctx) string {
	v := c.Cookies(h.cookieName("flash"))
	if v == "" {
		return ""
	}
	h.setCookie(c, "flash", "", -1)
	msg, _ := url.QueryUnescape(v)
	return msg
}
