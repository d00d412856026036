package app

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/spotlight"
	"partnerportal/queries"
)

// Limits of the contact form, per visitor address and per partner.
const (
	directoryContactsPerIPHour       = 5
	directoryContactsPerPartnerDay   = 50
	directoryContactHoneypot         = "nickname" // hidden from people; bots fill it
	directoryContactStampField       = "form_ts"
	directoryContactMessageMaxLength = 5000
)

var directoryContactFields = []string{"name", "email", "company", "website", "budget", "message"}

func (h *Handler) renderDirectoryContact(c *fiber.Ctx, status int, p *Page, d queries.GetDirectoryBySlugRow, prof queries.PartnerProfile) error {
	base := directoryBase(d)
	p.Summary = "Contact " + prof.CompanyName + ", a partner of " + d.OrganizationName + "."
	p.Data = fiber.Map{"P": viewProfile(prof, base, publicLogoURL(base, prof)), "Base": base, "Bands": d.BudgetBands, "OrgName": d.OrganizationName,
		"Stamp": spotlight.Stamp(d.FormKey, prof.PartnerID, h.Clock.Now()), "Honeypot": directoryContactHoneypot}
	return h.render(c, status, "pages/directory_contact", "", p)
}

// showDirectoryContact is the form a visitor sends a partner a request with.
func (h *Handler) showDirectoryContact(c *fiber.Ctx) error {
	d, prof, err := h.loadPublishedProfile(c)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Contact "+prof.CompanyName)
	p.Form = map[string]string{}
	return h.renderDirectoryContact(c, fiber.StatusOK, p, d, prof)
}

// sendDirectoryContact turns a visitor's request into a referral lead for
// the partner (source "directory") through the same createLead as every
// other lead, so duplicate detection applies; the partner's admins are
// notified, and staff see it in the review queue. Spam checks need no third
// party: a hidden honeypot field and a signed timestamp (too fast or too old
// is refused); rate limits per visitor address and per partner (Redis).
func (h *Handler) sendDirectoryContact(c *fiber.Ctx) error {
	d, prof, err := h.loadPublishedProfile(c)
	if err != nil {
		return err
	}
	ctx := c.Context()
	p := h.newPage(c, "Contact "+prof.CompanyName)
	p.Form = map[string]string{}
	for _, k := range directoryContactFields {
		p.Form[k] = strings.TrimSpace(c.FormValue(k))
	}
	now := h.Clock.Now()
	if c.FormValue(directoryContactHoneypot) != "" {
		// A bot: answer as if sent, create nothing.
		h.Log.Info("directory contact dropped: honeypot", "organization_id", d.OrganizationID, "partner_id", prof.PartnerID)
		return h.render(c, fiber.StatusOK, "pages/directory_contact_sent", "", h.contactSentPage(c, p, d, prof))
	}
	switch err := spotlight.CheckStamp(d.FormKey, prof.PartnerID, c.FormValue(directoryContactStampField), now); {
	case errors.Is(err, spotlight.ErrStampFast):
		p.Errors = map[string]string{"form": "That was quicker than a person can type. Please check your request and send it again."}
		return h.renderDirectoryContact(c, fiber.StatusUnprocessableEntity, p, d, prof)
	case errors.Is(err, spotlight.ErrStampStale), errors.Is(err, spotlight.ErrStampBad):
		p.Errors = map[string]string{"form": "This form has expired. Please check your request and send it again."}
		return h.renderDirectoryContact(c, fiber.StatusUnprocessableEntity, p, d, prof)
	}
	errs := map[string]string{}
	if n := len([]rune(p.Form["message"])); n == 0 {
		errs["message"] = "Tell the partner what you need."
	} else if n > directoryContactMessageMaxLength {
		errs["message"] = "Keep the message under 5,000 characters."
	}
	if msg := spotlight.CheckWebsite(p.Form["website"]); msg != "" {
		errs["website"] = msg
	}
	if b := p.Form["budget"]; b != "" && !slices.Contains(d.BudgetBands, b) {
		errs["budget"] = "Choose a budget range from the list."
	}
	org, err := h.Store.GetOrganization(ctx, d.OrganizationID)
	if err != nil {
		return err
	}
	notes := "Request from the partner directory.\n"
	if p.Form["budget"] != "" {
		notes += "Budget: " + p.Form["budget"] + "\n"
	}
	if p.Form["website"] != "" {
		notes += "Website: " + p.Form["website"] + "\n"
	}
	notes += "\n" + p.Form["message"]
	in, lerrs, _ := validateLead(func(k string) string {
		switch k {
		case "company":
			return p.Form["company"]
		case "contact_name":
			return p.Form["name"]
		case "email":
			return p.Form["email"]
		case "domain":
			return normalizeDomain(p.Form["website"])
		case "notes":
			if errs["message"] != "" {
				return ""
			}
			return notes
		}
		return ""
	}, org.Currency)
	for k, v := range lerrs {
		switch k {
		case "company":
			errs["company"] = "Enter your company's name."
			if len([]rune(p.Form["company"])) > 200 {
				errs["company"] = "Keep the company name under 200 characters."
			}
		case "contact_name":
			errs["name"] = strings.Replace(v, "the name of your contact at the company", "your name", 1)
		case "email":
			errs["email"] = v
		case "domain":
			if errs["website"] == "" {
				errs["website"] = "Enter your company's website, like https://example.com."
			}
		case "notes":
			errs["message"] = "Keep the message under 5,000 characters."
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderDirectoryContact(c, fiber.StatusUnprocessableEntity, p, d, prof)
	}
	okIP, err := allow(ctx, h.Redis, "rl:dircontact:ip:"+h.clientIP(c), directoryContactsPerIPHour, time.Hour)
	if err != nil {
		return err
	}
	okPartner := false
	if okIP {
		okPartner, err = allow(ctx, h.Redis, "rl:dircontact:partner:"+strconv.FormatInt(prof.PartnerID, 10), directoryContactsPerPartnerDay, 24*time.Hour)
		if err != nil {
			return err
		}
	}
	if !okIP || !okPartner {
		p.Errors = map[string]string{"form": "Too many requests were sent from here recently. Please try again in an hour."}
		c.Set(fiber.HeaderRetryAfter, "3600")
		return h.renderDirectoryContact(c, fiber.StatusTooManyRequests, p, d, prof)
	}
	var notified []int64
	err = h.Store.Tx(ctx, func(q *queries.Queries) error {
		id, err := createLead(ctx, q, NewLead{Now: now, OrganizationID: d.OrganizationID, PartnerID: prof.PartnerID,
			Source: "directory", Status: "in_review", ProtectionDays: org.LeadProtectionDays, TimeZone: org.TimeZone, Input: in})
		if err != nil {
			return err
		}
		lead, err := q.LockLeadForReview(ctx, queries.LockLeadForReviewParams{OrganizationID: d.OrganizationID, ID: id})
		if err != nil {
			return err
		}
		notified, err = notifyLeadPartner(ctx, q, now, lead, "A visitor of the "+d.OrganizationName+" partner directory asked you for help: "+
			in.Company+". Accept or decline it under Referral Leads.")
		return err
	})
	if err != nil {
		return err
	}
	h.enqueueNotificationEmails(ctx, notified)
	return h.render(c, fiber.StatusOK, "pages/directory_contact_sent", "", h.contactSentPage(c, p, d, prof))
}

func (h *Handler) contactSentPage(_ *fiber.Ctx, p *Page, d queries.GetDirectoryBySlugRow, prof queries.PartnerProfile) *Page {
	p.Title = "Request sent to " + prof.CompanyName
	base := directoryBase(d)
	p.Data = fiber.Map{"P": viewProfile(prof, base, ""), "Base": base}
	return p
}
