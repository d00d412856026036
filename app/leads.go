package app

// Lead rules shared by every way a lead is born or changed: the partner's
// form, staff referrals and (later) sign-ups from tracking links. Validation,
// domain normalisation, duplicate detection and history live here once.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// LeadInput is a validated lead form.
type LeadInput struct {
	Company, Domain, ContactName, Email, Phone, Currency, Notes string
	DealValueMinor                                              int64
}

// Fields returns the values as the form shows them.
func (in LeadInput) Fields() map[string]string {
	return map[string]string{"company": in.Company, "domain": in.Domain, "contact_name": in.ContactName,
		"email": in.Email, "phone": in.Phone, "currency": in.Currency, "notes": in.Notes,
		"deal_value": money.Input(in.DealValueMinor, in.Currency)}
}

var (
	domainRe       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	phoneRe        = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}$`)
	currencyCodeRe = regexp.MustCompile(`^[A-Z]{3}$`)
)

// normalizeDomain turns "https://www.Example.com/pricing" into "example.com".
func normalizeDomain(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(raw))
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// validateLead checks a submitted lead form. It returns the clean input and,
// when something is wrong, a message per field; the form values are always
// returned so the page can show them again.
func validateLead(form func(string) string, defaultCurrency string) (LeadInput, map[string]string, map[string]string) {
	raw := map[string]string{}
	for _, k := range []string{"company", "domain", "contact_name", "email", "phone", "currency", "deal_value", "notes"} {
		raw[k] = strings.TrimSpace(form(k))
	}
	if raw["currency"] == "" {
		raw["currency"] = defaultCurrency
	}
	errs := map[string]string{}
	in := LeadInput{Company: raw["company"], ContactName: raw["contact_name"], Phone: raw["phone"],
		Currency: strings.ToUpper(raw["currency"]), Notes: raw["notes"]}
	if n := len([]rune(in.Company)); n == 0 {
		errs["company"] = "Enter the company name."
	} else if n > 200 {
		errs["company"] = "Keep the company name under 200 characters."
	}
	if raw["domain"] != "" {
		in.Domain = normalizeDomain(raw["domain"])
		if !domainRe.MatchString(in.Domain) {
			errs["domain"] = "Enter the company's website, like example.com."
		}
	}
	if n := len([]rune(in.ContactName)); n == 0 {
		errs["contact_name"] = "Enter the name of your contact at the company."
	} else if n > 200 {
		errs["contact_name"] = "Keep the contact name under 200 characters."
	}
	if raw["email"] == "" {
		errs["email"] = "Enter the contact's email address."
	} else if e, problem := normalizeEmail(raw["email"]); problem != "" {
		errs["email"] = problem
	} else {
		in.Email = e
	}
	if in.Phone != "" && !phoneRe.MatchString(in.Phone) {
		errs["phone"] = "Enter a phone number with digits, spaces and + ( ) - only."
	}
	if !currencyCodeRe.MatchString(in.Currency) {
		errs["currency"] = "Choose a currency."
	}
	if raw["deal_value"] != "" && errs["currency"] == "" {
		v, err := money.Parse(raw["deal_value"], in.Currency)
		if err != nil {
			errs["deal_value"] = fmt.Sprintf("Enter an amount like 12500 or 12,500.00 (at most %d decimals).", money.Digits(in.Currency))
		} else {
			in.DealValueMinor = v
		}
	}
	if len([]rune(in.Notes)) > 5000 {
		errs["notes"] = "Keep notes under 5,000 characters."
	}
	// The edge (input_check.go) refuses such text for forms; a caller
	// without it (the sign-up API reads JSON) is covered here too.
	for k, v := range raw {
		if !storable([]byte(v)) {
			errs[k] = "Remove the characters that cannot be stored (a NUL byte or text that is not UTF-8)."
		}
	}
	if len(errs) == 0 {
		return in, nil, raw
	}
	return in, errs, raw
}

// NewLead is everything createLead needs beyond the form.
type NewLead struct {
	OrganizationID, PartnerID int64
	ActorID                   *int64
	Source, Status            string // "partner"/"referral"/"referral_link"/"directory"; "in_review"/"approved"
	TrackingLinkID            *int64
	ProtectionDays            int32
	TimeZone                  string // the organization's, for dates in messages
	Input                     LeadInput
	Now                       time.Time // the clock's time: created_at
}

// createLead inserts a lead, flags it when it duplicates an open lead within
// the protection window, and writes its first history entries. Run it inside
// Store.Tx so nothing is half-saved.
func createLead(ctx context.Context, q *queries.Queries, n NewLead) (int64, error) {
	in := n.Input
	params := queries.CreateLeadParams{
		OrganizationID: n.OrganizationID, PartnerID: n.PartnerID, CreatedByUserID: n.ActorID,
		Source: n.Source, Status: n.Status, Stage: "new", Company: in.Company, Domain: in.Domain,
		ContactName: in.ContactName, Email: in.Email, Phone: in.Phone, Currency: in.Currency,
		DealValueMinor: in.DealValueMinor, Notes: in.Notes, TrackingLinkID: n.TrackingLinkID,
		CreatedAt: n.Now,
	}
	dup, err := q.FindDuplicateLead(ctx, queries.FindDuplicateLeadParams{Now: n.Now,
		OrganizationID: n.OrganizationID, ExcludeID: 0, ProtectionDays: n.ProtectionDays, Email: in.Email, Domain: in.Domain})
	switch {
	case err == nil:
		params.DuplicateOfLeadID = &dup.ID
		params.DuplicateReason = duplicateReason(dup, n.PartnerID, n.ProtectionDays, n.TimeZone)
	case !queries.IsNotFound(err):
		return 0, err
	}
	id, err := q.CreateLead(ctx, params)
	if err != nil {
		return 0, err
	}
	if err := recordLeadEvent(ctx, q, n.Now, n.OrganizationID, n.PartnerID, id, n.ActorID, "created", leadChanges(nil, in), ""); err != nil {
		return 0, err
	}
	if params.DuplicateOfLeadID != nil {
		if err := recordLeadEvent(ctx, q, n.Now, n.OrganizationID, n.PartnerID, id, nil, "duplicate", nil, params.DuplicateReason); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// duplicateReason explains a match without naming another partner (partners
// see it; staff see both leads side by side).
func duplicateReason(d queries.FindDuplicateLeadRow, partnerID int64, days int32, zone string) string {
	who := "another partner"
	if d.PartnerID == partnerID {
		who = "your company"
	}
	what := "the same company domain (" + d.Domain + ")"
	if d.SameEmail {
		what = "the same contact email (" + d.Email + ")"
	}
	return fmt.Sprintf("Possible duplicate: %s registered a lead with %s on %s, within the %d-day protection window.",
		who, what, inZone(d.CreatedAt, zone).Format("Jan 2, 2006"), days)
}

// Change is one field's old and new value in a history entry.
type Change struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// leadChanges lists the fields that differ between two versions of a lead
// (old nil: every non-empty field of a new lead).
func leadChanges(old *LeadInput, in LeadInput) map[string]Change {
	labels := map[string]string{"company": "Company", "domain": "Website", "contact_name": "Contact", "email": "Email",
		"phone": "Phone", "currency": "Currency", "deal_value": "Deal value", "notes": "Notes"}
	now := in.Fields()
	now["deal_value"] = money.Format(in.DealValueMinor, in.Currency)
	var before map[string]string
	if old != nil {
		before = old.Fields()
		before["deal_value"] = money.Format(old.DealValueMinor, old.Currency)
	}
	out := map[string]Change{}
	for k, label := range labels {
		if before == nil && now[k] == "" {
			continue
		}
		if before == nil || before[k] != now[k] {
			out[label] = Change{Old: before[k], New: now[k]}
		}
	}
	return out
}

// recordLeadEvent appends one entry to a lead's history.
func recordLeadEvent(ctx context.Context, q *queries.Queries, now time.Time, orgID, partnerID, leadID int64, actor *int64, kind string, changes map[string]Change, note string) error {
	if changes == nil {
		changes = map[string]Change{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	return q.CreateLeadEvent(ctx, queries.CreateLeadEventParams{OrganizationID: orgID, PartnerID: partnerID,
		LeadID: leadID, ActorUserID: actor, Kind: kind, Changes: b, Note: note, CreatedAt: now})
}

// partnerCanEdit is the one rule for partner edits and deletes (the SQL of
// UpdateLeadForPartner/DeleteLeadForPartner enforces the same): only leads
// the company registered itself (not referrals from the program team, which
// are accepted or declined, nor sign-ups through a tracking link, whose
// details come from the sign-up), only while In Review (approved or rejected
// leads are locked; notes can still be added), and a partner User only on
// leads they created, a partner Admin on all of the company's leads. Staff
// use the review queue instead.
// isReferralSource: a lead passed to the partner rather than brought by it,
// by the program team ("referral") or by a visitor of the public partner
// directory ("directory"). The partner accepts or declines these under
// Referral Leads; staff do not decide them while they wait.
func isReferralSource(source string) bool { return source == "referral" || source == "directory" }

func partnerCanEdit(u *User, status, source string, createdBy *int64) bool {
	if u == nil || !u.IsPartner() || status != "in_review" || source != "partner" {
		return false
	}
	return u.IsPartnerAdmin() || (createdBy != nil && *createdBy == u.ID)
}
