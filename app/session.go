package app

import (
	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// startSession creates a new session (a new id at every sign-in, so a session
// id planted before sign-in is worthless) and sets its cookie.
func (h *Handler) startSession(c *fiber.Ctx, q *queries.Queries, userID int64) error {
	id := secret.New()
	ua := c.Get(fiber.HeaderUserAgent)
	if len(ua) > 400 {
		ua = ua[:400]
	}
	err := q.CreateSession(c.Context(), queries.CreateSessionParams{Now: h.Clock.Now(),
		IDHash: secret.Hash(id), UserID: userID,
		ExpiresAt: h.Clock.Now().Add(min(h.Config.SessionIdle, h.Config.SessionMaxAge)),
		Ip:        h.clientIP(c), UserAgent: ua,
	})
	if err != nil {
		return err
	}
	// A session cookie (no Max-Age): the server decides when it expires.
	h.setCookie(c, "session", id, 0)
	return nil
}

func (h *Handler) logout(c *fiber.Ctx) error {
	if raw := c.Cookies(h.cookieName("session")); secret.WellFormed(raw) {
		if err := h.Store.DeleteSession(c.Context(), secret.Hash(raw)); err != nil {
			return err
		}
	}
	h.setCookie(c, "session", "", -1)
	h.flash(c, "You are signed out.")
	return redirect(c, "/login")
}
