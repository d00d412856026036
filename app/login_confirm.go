package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
)

// showLoginConfirm answers GET and HEAD of an emailed link. It only reads:
// mail scanners fetch links before people do, so opening a link must neither
// sign in nor use it up. The button on the page POSTs.
func (h *Handler) showLoginConfirm(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	token := c.Params("token")
	p := h.newPage(c, "Confirm sign-in")
	if !secret.WellFormed(token) {
		return h.renderBadLink(c, p, "malformed")
	}
	t, err := h.Store.GetLoginToken(c.Context(), secret.Hash(token))
	switch {
	case queries.IsNotFound(err):
		return h.renderBadLink(c, p, "unknown")
	case err != nil:
		return err
	case t.UsedAt != nil:
		return h.renderBadLink(c, p, "used")
	case h.Clock.Now().After(t.ExpiresAt):
		return h.renderBadLink(c, p, "expired")
	}
	p.Data = fiber.Map{"Token": token, "Masked": MaskEmail(t.Email), "Next": safeNext(c.Query("next"))}
	return h.render(c, fiber.StatusOK, "pages/login_confirm", "", p)
}

// confirmLogin uses the link up (atomically: of two clicks, one wins) and
// starts a session.
func (h *Handler) confirmLogin(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	token := c.Params("token")
	p := h.newPage(c, "Sign in")
	if !secret.WellFormed(token) {
		return h.renderBadLink(c, p, "malformed")
	}
	hash := secret.Hash(token)
	now := h.Clock.Now() // one instant for the whole transaction, as SQL now() was
	err := h.Store.Tx(c.Context(), func(q *queries.Queries) error {
		userID, err := q.ConsumeLoginToken(c.Context(), queries.ConsumeLoginTokenParams{Now: now, TokenHash: hash})
		if err != nil {
			return err
		}
		if err := q.MarkUserLoggedIn(c.Context(), queries.MarkUserLoggedInParams{Now: now, ID: userID}); err != nil {
			return err
		}
		return h.startSession(c, q, userID)
	})
	if queries.IsNotFound(err) {
		// Tell used from expired from unknown, for a clear message.
		t, lerr := h.Store.GetLoginToken(c.Context(), hash)
		switch {
		case lerr != nil:
			return h.renderBadLink(c, p, "unknown")
		case t.UsedAt != nil:
			return h.renderBadLink(c, p, "used")
		default:
			return h.renderBadLink(c, p, "expired")
		}
	}
	if err != nil {
		return err
	}
	if next := safeNext(c.FormValue("next")); next != "" {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handler) renderBadLink(c *fiber.Ctx, p *Page, reason string) error {
	msg := map[string]string{
		"malformed": "This sign-in link is not complete. Links sometimes break across lines in email; copy the whole link, or ask for a new one.",
		"unknown":   "We do not recognise this sign-in link. Ask for a new one below.",
		"used":      "This sign-in link has already been used. Each link works once; ask for a new one below.",
		"expired":   "This sign-in link has expired. Links are valid for a limited time; ask for a new one below.",
	}[reason]
	p.Title = "Sign-in link not valid"
	p.Data = fiber.Map{"Reason": reason, "Message": msg}
	p.Form = map[string]string{"email": ""}
	status := fiber.StatusGone
	if reason == "malformed" || reason == "unknown" {
		status = fiber.StatusNotFound
	}
	return h.render(c, status, "pages/login_invalid", "", p)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}
