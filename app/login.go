package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/workers"
)

// Sign-in limits: links per address per hour, requests per IP per hour.
const (
	linksPerAddressPerHour = 5
	loginRequestsPerIPHour = 30
)

func (h *Handler) showLogin(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil {
		return h.home(c)
	}
	p := h.newPage(c, "Sign in")
	p.Form = map[string]string{"email": ""}
	return h.render(c, fiber.StatusOK, "pages/login", "", p)
}

// normalizeEmail validates an address and returns it lower-cased, or a
// message for the user.
func normalizeEmail(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "Enter your email address."
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || !strings.Contains(raw[strings.LastIndex(raw, "@")+1:], ".") && !strings.HasSuffix(raw, "@localhost") {
		return "", "Enter an email address like name@company.com."
	}
	if len(raw) > 254 {
		return "", "That email address is too long."
	}
	return strings.ToLower(raw), ""
}

// requestLoginLink answers the same way for every well-formed address: the
// lookup of the account, the token and the email all happen in the worker.
func (h *Handler) requestLoginLink(c *fiber.Ctx) error {
	p := h.newPage(c, "Sign in")
	p.Form = map[string]string{"email": c.FormValue("email")}
	email, problem := normalizeEmail(c.FormValue("email"))
	if problem != "" {
		p.Errors = map[string]string{"email": problem}
		return h.render(c, fiber.StatusUnprocessableEntity, "pages/login", "", p)
	}
	ctx := c.Context()
	okIP, err := allow(ctx, h.Redis, "rl:login:ip:"+h.clientIP(c), loginRequestsPerIPHour, time.Hour)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(email))
	okAddr, err := allow(ctx, h.Redis, "rl:login:email:"+hex.EncodeToString(sum[:]), linksPerAddressPerHour, time.Hour)
	if err != nil {
		return err
	}
	if !okIP || !okAddr {
		p.Errors = map[string]string{"email": "Too many sign-in links were requested. Use a link you already received, or try again in an hour."}
		return h.render(c, fiber.StatusTooManyRequests, "pages/login", "", p)
	}
	task, err := workers.NewLoginLinkTask(workers.LoginLinkPayload{RequestID: secret.New()[:22], Email: email})
	if err != nil {
		return err
	}
	if _, err := h.Queue.EnqueueContext(ctx, task); err != nil {
		return err
	}
	p.Data = fiber.Map{"Email": email, "Minutes": int(h.Config.LoginLinkTTL.Minutes())}
	return h.render(c, fiber.StatusOK, "pages/login_sent", "", p)
}
