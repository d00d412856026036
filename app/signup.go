package app

// A sign-up on the vendor's website becomes a lead for the partner whose
// tracking link brought the visitor. Both ways in — the attribution script
// (signup_browser.go) and the vendor's server with an API key
// (signup_api.go) — end here once they know the organization:
//
//	click id → click (PostgreSQL after the rollup, Redis before it) → the
//	organization's link and partner → inside the attribution window? → one
//	lead per email (source referral_link, the link, the organization's
//	sign-up status), written with createLead in one transaction.
//
// Which click the visitor carries (first or last) is decided by the script
// through its cookie; the server credits the click id it receives.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/clicks"
	"partnerportal/queries"
)

const (
	signupMaxBody      = 16 << 10 // bytes
	signupsPerIPMinute = 60
)

// clickIDRe is the shape of the ids the redirect hands out.
var clickIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

const msgNoValidClick = "There is no valid click on one of this organization's partner links with this id, so no partner is credited."

var signupFields = []string{"click_id", "email", "name", "company"}

// parseSignup reads the JSON body strictly: JSON only, at most 16 KB, one
// object, only the known fields, each a string. Field problems come back
// together (422); nothing is looked up before the input is clean.
func parseSignup(c *fiber.Ctx, currency string) (string, LeadInput, error) {
	ct, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || ct != fiber.MIMEApplicationJSON {
		return "", LeadInput{}, apiFail(fiber.StatusUnsupportedMediaType, "Send the sign-up as JSON, with Content-Type: application/json.")
	}
	body := c.Body()
	if len(body) > signupMaxBody {
		return "", LeadInput{}, apiFail(fiber.StatusRequestEntityTooLarge, "The request body is larger than 16 KB.")
	}
	obj, err := decodeObject(body)
	if err != nil {
		return "", LeadInput{}, apiFail(fiber.StatusBadRequest, err.Error())
	}
	errs := map[string]string{}
	for k := range obj {
		if !slices.Contains(signupFields, k) {
			if r := []rune(k); len(r) > 64 {
				k = string(r[:64]) + "…"
			}
			errs[k] = "Unknown field: send only click_id, email, name and company."
		}
	}
	val := map[string]string{}
	for _, k := range signupFields {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		var s *string
		if err := json.Unmarshal(raw, &s); err != nil {
			errs[k] = "Must be a string."
			continue
		}
		if s != nil {
			val[k] = strings.TrimSpace(*s)
		}
	}

	clickID := val["click_id"]
	if _, bad := errs["click_id"]; !bad && !clickIDRe.MatchString(clickID) {
		errs["click_id"] = msgNoValidClick
	}
	in := LeadInput{ContactName: val["name"], Company: val["company"], Currency: currency}
	if _, bad := errs["email"]; !bad {
		if val["email"] == "" {
			errs["email"] = "Enter the email address the visitor signed up with."
		} else if e, problem := normalizeEmail(val["email"]); problem != "" {
			errs["email"] = problem
		} else {
			in.Email = e
		}
	}
	if _, bad := errs["name"]; !bad {
		if msg := checkText(in.ContactName, "name"); msg != "" {
			errs["name"] = msg
		}
	}
	if _, bad := errs["company"]; !bad {
		if in.Company == "" && in.Email != "" {
			in.Company = in.Email[strings.LastIndexByte(in.Email, '@')+1:] // the email's domain stands in
		}
		if in.Company == "" {
			if _, emailBad := errs["email"]; !emailBad {
				errs["company"] = "Enter the company name."
			}
		} else if msg := checkText(in.Company, "company name"); msg != "" {
			errs["company"] = msg
		}
	}
	if len(errs) > 0 {
		return "", LeadInput{}, apiFields(errs)
	}
	return clickID, in, nil
}

// checkText allows up to 200 characters and no control characters.
func checkText(s, what string) string {
	switch {
	case len([]rune(s)) > 200:
		return "Keep the " + what + " under 200 characters."
	case strings.ContainsFunc(s, unicode.IsControl):
		return "The " + what + " must not contain control characters."
	}
	return ""
}

// decodeObject parses a body holding exactly one JSON object.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var obj map[string]json.RawMessage
	err := dec.Decode(&obj)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return nil, errors.New("The request body is empty: send a JSON object.")
	case errors.As(err, &syn):
		return nil, fmt.Errorf("Malformed JSON at byte %d: %s.", syn.Offset, syn.Error())
	case errors.As(err, &typ), err == nil && obj == nil:
		return nil, errors.New("The body must be a JSON object with click_id, email, name and company.")
	case err != nil:
		return nil, errors.New("Malformed JSON: the body ends too early.")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("Malformed JSON: there is more after the object.")
	}
	return obj, nil
}

// attribution is the link and partner a sign-up is credited to.
type attribution struct {
	LinkID, PartnerID int64
	PartnerName       string
}

// attribute finds the click, proves it is on a link of this organization and
// checks the attribution window (clicked_at + window days ≥ now).
func (h *Handler) attribute(ctx context.Context, org queries.Organization, clickID string, now time.Time) (attribution, error) {
	linkID, at, found, err := h.findClick(ctx, org.ID, clickID)
	if err != nil {
		return attribution{}, err
	}
	if !found {
		return attribution{}, apiFields(map[string]string{"click_id": msgNoValidClick})
	}
	// Scoped by organization: a Redis click on another organization's link
	// (Redis knows only the link id) is not found here.
	link, err := h.Store.GetSignupLink(ctx, queries.GetSignupLinkParams{OrganizationID: org.ID, ID: linkID})
	if queries.IsNotFound(err) {
		return attribution{}, apiFields(map[string]string{"click_id": msgNoValidClick})
	}
	if err != nil {
		return attribution{}, err
	}
	days := org.AttributionWindowDays
	if at.Add(time.Duration(days) * 24 * time.Hour).Before(now) {
		return attribution{}, apiFields(map[string]string{"click_id": fmt.Sprintf(
			"The partner click of %s is outside the %d-day attribution window, so no partner is credited.",
			at.UTC().Format("Jan 2, 2006"), days)})
	}
	return attribution{LinkID: link.ID, PartnerID: link.PartnerID, PartnerName: link.PartnerName}, nil
}

// findClick looks the click up in PostgreSQL (scoped by organization), where
// the rollup puts every click. A click not there yet may still be in the
// Redis stream (the worker rolls up every minute): then this process writes
// the clicks it holds, catches the rollup up (clicks.CatchUp) and looks
// again. A click recorded before the sign-up is thus always found, and
// Redis keeps no entry per click for it. With Redis unreachable, a click
// already in PostgreSQL is still found.
func (h *Handler) findClick(ctx context.Context, orgID int64, clickID string) (int64, time.Time, bool, error) {
	row, found, err := h.clickInPostgres(ctx, orgID, clickID)
	if found || err != nil || !clicks.ValidID([]byte(clickID)) {
		return row.LinkID, row.ClickedAt, found, err
	}
	cctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	cerr := h.Clicks.Drain(cctx)
	if cerr == nil {
		cerr = clicks.CatchUp(cctx, h.Redis, h.Store)
	}
	row, found, err = h.clickInPostgres(ctx, orgID, clickID)
	switch {
	case err != nil || found || cerr == nil:
	case errors.Is(cerr, clicks.ErrBacklog) || errors.Is(cerr, context.DeadlineExceeded):
		// Not found, and the rollup is too far behind to say for sure.
		err = &apiError{Status: fiber.StatusServiceUnavailable, Msg: msgClicksBehind}
	default:
		err = cerr // Redis did not answer: a 503 from the API wrapper
	}
	return row.LinkID, row.ClickedAt, found, err
}

// msgClicksBehind answers a sign-up whose click could not be checked because
// the click rollup is far behind (a worker outage): sending it again later
// works, nothing is lost.
const msgClicksBehind = "Recent clicks are still being counted, so this click cannot be checked yet. " +
	"Send the sign-up again in a few minutes; nothing was saved."

// catchUpTimeout bounds a sign-up's catch-up rollup.
const catchUpTimeout = 10 * time.Second

func (h *Handler) clickInPostgres(ctx context.Context, orgID int64, clickID string) (queries.GetClickForAttributionRow, bool, error) {
	row, err := h.Store.GetClickForAttribution(ctx, queries.GetClickForAttributionParams{OrganizationID: orgID, ClickID: clickID})
	if queries.IsNotFound(err) {
		return row, false, nil
	}
	return row, err == nil, err
}

// registerSignup turns a checked sign-up into a lead: 201 with the lead and
// partner, or 200 with the existing lead when the email signed up before.
func (h *Handler) registerSignup(c *fiber.Ctx, org queries.Organization) error {
	clickID, in, err := parseSignup(c, org.Currency)
	if err != nil {
		return err
	}
	ctx := c.Context()
	now := h.Clock.Now()
	a, err := h.attribute(ctx, org, clickID, now)
	if err != nil {
		return err
	}
	var leadID int64
	duplicate := false
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		prev, err := q.FindSignupLead(ctx, queries.FindSignupLeadParams{OrganizationID: org.ID, Email: in.Email})
		if err == nil {
			leadID, duplicate = prev.ID, true
			return nil
		}
		if !queries.IsNotFound(err) {
			return err
		}
		link := a.LinkID
		leadID, err = createLead(ctx, q, NewLead{Now: now,
			OrganizationID: org.ID, PartnerID: a.PartnerID, ActorID: nil,
			Source: "referral_link", Status: org.SignupLeadStatus, TrackingLinkID: &link,
			ProtectionDays: org.LeadProtectionDays, TimeZone: org.TimeZone, Input: in,
		})
		return err
	})
	if queries.IsDuplicate(err) {
		// The same email signed up at the same moment: the unique index
		// leads_one_signup_per_email refused ours (rolled back whole), so
		// answer with the lead that won.
		prev, ferr := h.Store.FindSignupLead(ctx, queries.FindSignupLeadParams{OrganizationID: org.ID, Email: in.Email})
		if ferr == nil {
			leadID, duplicate, err = prev.ID, true, nil
		}
	}
	if err != nil {
		return err
	}
	if duplicate {
		return c.Status(fiber.StatusOK).JSON(fiber.Map{"lead_id": leadID, "duplicate": true})
	}
	h.Log.Info("sign-up credited", "organization_id", org.ID, "partner_id", a.PartnerID, "link_id", a.LinkID, "lead_id", leadID)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"lead_id": leadID, "partner": a.PartnerName})
}

// limitSignups allows signupsPerIPMinute sign-ups a minute from one address.
func (h *Handler) limitSignups(c *fiber.Ctx) error {
	ok, err := allow(c.Context(), h.Redis, "rl:signup:ip:"+h.clientIP(c), signupsPerIPMinute, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, "60")
		return apiFail(fiber.StatusTooManyRequests, "Too many sign-ups from this address. Try again in a minute.")
	}
	return nil
}
