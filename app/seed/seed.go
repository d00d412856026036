// Package seed loads the demo data that the README, the tests and a first run
// of `dev` use. Running it twice changes nothing: every insert is keyed by a
// natural key (slug, name, email, code) and the bulk parts run only once.
package seed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"partnerportal/queries"
)

// AgreementText is the demo partner agreement.
const AgreementText = `ACME CLOUD PARTNER PROGRAM AGREEMENT

1. Scope. This agreement covers referrals and resale of Acme Cloud services by the partner company named in the portal.

2. Leads. The partner registers leads in the portal. Acme Cloud reviews each lead and approves or rejects it. A lead already registered by another partner within the protection window may be rejected as a duplicate.

3. Commissions. For every approved lead that becomes a paying customer, Acme Cloud pays the commission rate of the partner's tier on the revenue received. Commissions are paid monthly against an invoice generated in the portal.

4. Conduct. The partner represents Acme Cloud's services truthfully, does not send unsolicited bulk email, and keeps customer data confidential.

5. Term. Either party may end this agreement with 30 days' written notice. Commissions earned before the end remain payable.`

type person struct{ email, name, role string }

type partnerSpec struct {
	name, website, tier, linkCode string
	people                        []person
	leads                         int
}

type orgSpec struct {
	name, slug, tz, currency string
	agreements               bool
	linkDestinations         []string // where tracking links may point
	allowedOrigins           []string // websites that may run the attribution script
	staff                    []person
	partners                 []partnerSpec
}

// Organizations is the demo data set.
var Organizations = []orgSpec{
	{
		name: "Acme Cloud", slug: "acme", tz: "America/New_York", currency: "USD", agreements: true,
		linkDestinations: []string{"https://acme.test/"}, allowedOrigins: []string{"http://localhost:8080"},
		staff: []person{{"staff@acme.test", "Sam Staff", "staff"}},
		partners: []partnerSpec{
			{name: "Northwind Agency", website: "https://northwind.test", tier: "Premium", linkCode: "northwind", leads: 60, people: []person{
				{"admin@northwind.test", "Nora Admin", "partner_admin"}, {"user@northwind.test", "Umar User", "partner_user"}}},
			{name: "Globex Partners", website: "https://globex.test", tier: "Standard", linkCode: "globex", leads: 25, people: []person{
				{"admin@globex.test", "Gina Admin", "partner_admin"}}},
		},
	},
	{
		name: "Initech", slug: "initech", tz: "Europe/Berlin", currency: "EUR",
		linkDestinations: []string{"https://initech.test/"}, allowedOrigins: []string{},
		staff: []person{{"staff@initech.test", "Ian Staff", "staff"}},
		partners: []partnerSpec{
			{name: "Initrode Resellers", website: "https://initrode.test", tier: "Standard", linkCode: "initrode", leads: 12, people: []person{
				{"admin@initrode.test", "Ida Admin", "partner_admin"}}},
		},
	},
}

var tiers = []struct {
	name     string
	bps      int32
	benefits string
	rewards  string // off-platform rewards, one per line
}{
	{"Standard", 1000, "Partner badge, quarterly program newsletter",
		"Partner badge for your website\nInvitation to the yearly partner summit"},
	{"Premium", 1500, "Co-marketing budget, priority lead review, named partner manager",
		"Partner badge for your website\nTwo free passes to the yearly partner summit\nA joint customer case study each year\nSwag pack for your team every quarter"},
}

// Demo loads the demo data; its leads spread over the year before now (the
// caller's clock).
func Demo(ctx context.Context, store *queries.Store, log *slog.Logger, now time.Time) error {
	err := store.Tx(ctx, func(q *queries.Queries) error {
		for _, o := range Organizations {
			if err := seedOrganization(ctx, q, o, now); err != nil {
				return fmt.Errorf("seed %s: %w", o.slug, err)
			}
		}
		return seedSpotlight(ctx, q, now)
	})
	if err != nil {
		return err
	}
	log.Info("demo data loaded", "organizations", len(Organizations))
	return nil
}

func seedOrganization(ctx context.Context, q *queries.Queries, o orgSpec, now time.Time) error {
	org, err := q.UpsertOrganization(ctx, queries.UpsertOrganizationParams{
		Name: o.name, Slug: o.slug, TimeZone: o.tz, Currency: o.currency, AgreementsEnabled: o.agreements})
	if err != nil {
		return err
	}
	if err := q.SeedOrganizationLinkSettings(ctx, queries.SeedOrganizationLinkSettingsParams{
		ID: org.ID, LinkDestinations: o.linkDestinations, AllowedOrigins: o.allowedOrigins}); err != nil {
		return err
	}
	tierIDs := map[string]int64{}
	for i, t := range tiers {
		row, err := q.UpsertTier(ctx, queries.UpsertTierParams{OrganizationID: org.ID, Name: t.name,
			CommissionBps: t.bps, Benefits: t.benefits, OffPlatformRewards: t.rewards, Position: int32(i)})
		if err != nil {
			return err
		}
		tierIDs[t.name] = row.ID
	}
	var staffID int64
	for _, s := range o.staff {
		u, err := q.UpsertUser(ctx, queries.UpsertUserParams{CreatedAt: now, OrganizationID: org.ID, Role: s.role, Email: s.email, Name: s.name})
		if err != nil {
			return err
		}
		staffID = u.ID
	}
	existingLeads, err := q.CountLeadsForOrganization(ctx, org.ID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(org.ID), 42))
	for _, ps := range o.partners {
		tier := tierIDs[ps.tier]
		partner, err := q.UpsertPartner(ctx, queries.UpsertPartnerParams{CreatedAt: now, OrganizationID: org.ID, Name: ps.name, Website: ps.website, TierID: &tier})
		if err != nil {
			return err
		}
		var creators []int64
		for _, p := range ps.people {
			u, err := q.UpsertUser(ctx, queries.UpsertUserParams{CreatedAt: now, OrganizationID: org.ID, PartnerID: &partner.ID, Role: p.role, Email: p.email, Name: p.name})
			if err != nil {
				return err
			}
			creators = append(creators, u.ID)
		}
		if _, err := q.CreateTrackingLink(ctx, queries.CreateTrackingLinkParams{Now: now,
			OrganizationID: org.ID, PartnerID: partner.ID, Code: ps.linkCode, Name: "Default referral link",
			Kind: "referral", Destination: "https://" + o.slug + ".test/signup", IsDefault: true, Active: true,
		}); err != nil && !queries.IsNotFound(err) {
			return err
		}
		if existingLeads == 0 {
			if err := seedLeads(ctx, q, rng, now, org.ID, partner.ID, creators, o.currency, ps.leads); err != nil {
				return err
			}
		}
	}
	if err := seedCommissions(ctx, q, org.ID, now); err != nil {
		return err
	}
	if o.slug == "acme" {
		if err := seedTraining(ctx, q, org.ID, tierIDs, now); err != nil {
			return fmt.Errorf("training: %w", err)
		}
	}
	if o.agreements {
		list, err := q.ListAgreements(ctx, org.ID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			a, err := q.CreateAgreement(ctx, queries.CreateAgreementParams{OrganizationID: org.ID, Title: "Partner Program Agreement"})
			if err != nil {
				return err
			}
			sum := sha256.Sum256([]byte(AgreementText))
			if _, err := q.SaveDraftVersion(ctx, queries.SaveDraftVersionParams{Now: now, OrganizationID: org.ID, AgreementID: a.ID,
				Body: AgreementText, BodySha256: sum[:], CreatedBy: &staffID}); err != nil {
				return err
			}
			if _, err := q.PublishDraftVersion(ctx, queries.PublishDraftVersionParams{Now: now, OrganizationID: org.ID, AgreementID: a.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	companies = []string{"Blue Harbor", "Copperline", "Driftwood Labs", "Evergreen Foods", "Foxglove Health", "Granite Works",
		"Halcyon Travel", "Ironbark Logistics", "Juniper Retail", "Kestrel Media", "Lumen Energy", "Maple & Co",
		"Nimbus Analytics", "Orchid Fashion", "Pinecrest Schools", "Quarry Outdoor", "Riverbend Clinics", "Saffron Kitchens",
		"Tidewater Marine", "Umber Studio"}
	firstNames = []string{"Alex", "Blair", "Casey", "Dana", "Eli", "Frankie", "Gray", "Harper", "Indy", "Jordan", "Kai", "Logan"}
	lastNames  = []string{"Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber"}
)

// seedLeads spreads n leads over the past year with a realistic mix of states.
func seedLeads(ctx context.Context, q *queries.Queries, rng *rand.Rand, now time.Time, orgID, partnerID int64, creators []int64, currency string, n int) error {
	now = now.UTC()
	for i := range n {
		company := companies[rng.IntN(len(companies))]
		if i >= len(companies) {
			company = fmt.Sprintf("%s %d", company, i/len(companies)+1)
		}
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		domain := fmt.Sprintf("%s.example", slugify(company))
		created := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		status, stage := "in_review", "new"
		var revenue int64
		var wonAt *time.Time
		switch r := rng.IntN(10); {
		case r < 2:
		case r < 3:
			status = "rejected"
		case r < 5:
			status, stage = "approved", []string{"qualified", "proposal"}[rng.IntN(2)]
		case r < 6:
			status, stage = "approved", "lost"
		default:
			status, stage = "approved", "won"
		}
		value := int64(rng.IntN(480)+20) * 10000 // 200.00 … 4,990.00 in whole units × 100
		if stage == "won" {
			revenue = value
			w := created.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
			if w.After(now) {
				w = now
			}
			wonAt = &w
		}
		creator := creators[rng.IntN(len(creators))]
		if _, err := q.CreateLead(ctx, queries.CreateLeadParams{
			OrganizationID: orgID, PartnerID: partnerID, CreatedByUserID: &creator, Source: "partner",
			Status: status, Stage: stage, Company: company, Domain: domain,
			ContactName: first + " " + last, Email: fmt.Sprintf("%s.%s@%s", lower(first), lower(last), domain),
			Currency: currency, DealValueMinor: value, RevenueMinor: revenue, CreatedAt: created, WonAt: wonAt,
		}); err != nil {
			return err
		}
	}
	return nil
}

func slugify(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case r >= 'A' && r <= 'Z':
			out = append(out, r+32)
		case r == ' ' && len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	return string(out)
}

func lower(s string) string { return slugify(s) }
