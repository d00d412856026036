package app

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/secret"
	"partnerportal/queries"
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
	sum := sha256.Sum256([]byte(email))
	requestID := secret.New()[:22]
	okIP, err := allow(ctx, h.Redis, "rl:login:ip:"+h.clientIP(c), loginRequestsPerIPHour, time.Hour)
	if err == nil && !okIP {
		return h.tooManyLinks(c, p)
	}
	okAddr := false
	if err == nil {
		okAddr, err = allow(ctx, h.Redis, "rl:login:email:"+hex.EncodeToString(sum[:]), linksPerAddressPerHour, time.Hour)
	}
	if unavailable(err) {
		return h.keepLoginRequest(c, p, requestID, email, sum[:], true)
	}
	if err != nil {
		return err
	}
	if !okAddr {
		return h.tooManyLinks(c, p)
	}
	task, err := workers.NewLoginLinkTask(workers.LoginLinkPayload{RequestID: requestID, Email: email})
	if err != nil {
		return err
	}
	if _, err := h.Queue.EnqueueContext(ctx, task); unavailable(err) {
		return h.keepLoginRequest(c, p, requestID, email, sum[:], false)
	} else if err != nil {
		return err
	}
	p.Data = fiber.Map{"Email": email, "Minutes": int(h.Config.LoginLinkTTL.Minutes())}
	return h.render(c, fiber.StatusOK, "pages/login_sent", "", p)
}

func (h *Handler) tooManyLinks(c *fiber.Ctx, p *Page) error {
	p.Errors = map[string]string{"email": "Too many sign-in links were requested. Use a link you already received, or try again in an hour."}
	return h.render(c, fiber.StatusTooManyRequests, "pages/login", "", p)
}

// keepLoginRequest is sign-in while Redis does not answer: the request is
// stored in PostgreSQL (login_requests) and the login sweep queues its email
// once Redis is back. The limits Redis keeps are counted from the stored
// requests meanwhile (checkLimits), and the answer is the same page as ever.
func (h *Handler) keepLoginRequest(c *fiber.Ctx, p *Page, requestID, email string, emailHash []byte, checkLimits bool) error {
	ctx := c.Context()
	now := h.Clock.Now()
	if checkLimits {
		since := now.Add(-time.Hour)
		nAddr, err := h.Store.CountLoginRequestsForEmail(ctx, queries.CountLoginRequestsForEmailParams{EmailHash: emailHash, Since: since})
		if err != nil {
			return err
		}
		nIP, err := h.Store.CountLoginRequestsForIP(ctx, queries.CountLoginRequestsForIPParams{Ip: h.clientIP(c), Since: since})
		if err != nil {
			return err
		}
		if nAddr >= linksPerAddressPerHour || nIP >= loginRequestsPerIPHour {
			return h.tooManyLinks(c, p)
		}
	}
	if err := h.Store.CreateLoginRequest(ctx, queries.CreateLoginRequestParams{
		RequestID: requestID, Email: email, EmailHash: emailHash, Ip: h.clientIP(c), CreatedAt: now,
	}); err != nil {
		return err
	}
	h.Log.Warn("Redis unreachable: sign-in request kept in PostgreSQL for the login sweep", "request_id", requestID)
	p.Data = fiber.Map{"Email": email, "Minutes": int(h.Config.LoginLinkTTL.Minutes())}
	return h.render(c, fiber.StatusOK, "pages/login_sent", "", p)
}
