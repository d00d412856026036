package seed

// Spotlight demo data: Acme Cloud's public partner directory with Northwind
// and Globex published (logos drawn here), Initech's directory on with its
// only partner, Initrode, still in draft (so it lists nobody).

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"partnerportal/app/spotlight"
	"partnerportal/app/storage"
	"partnerportal/queries"
)

type profileSpec struct {
	org, partner, tagline, description, budget, email, state string
	specialties, areas, platforms, languages                 []string
	logo                                                     [2]color.NRGBA // background, mark; zero: no logo
}

var directorySpecs = map[string]queries.UpdateDirectorySettingsParams{
	"acme": {Enabled: true, Slug: "acme",
		Specialties:  []string{"Store migrations", "SEO", "Custom development", "B2B commerce", "Analytics", "Performance marketing"},
		Platforms:    []string{"Shopify", "BigCommerce", "Salesforce Commerce Cloud", "Adobe Commerce", "WooCommerce"},
		BudgetBands:  []string{"Under $10k", "$10k–$50k", "$50k–$250k", "Over $250k"},
		FrameOrigins: []string{}},
	"initech": {Enabled: true, Slug: "initech",
		Specialties: []string{"Hosting"}, Platforms: []string{"Shopify"}, BudgetBands: []string{"Under €10k", "Over €10k"},
		FrameOrigins: []string{}},
}

var profileSpecs = []profileSpec{
	{org: "acme", partner: "Northwind Agency", state: spotlight.Published,
		tagline:     "Commerce migrations for brands in Germany, the Nordics and the US.",
		description: "Northwind moves stores **without losing a sale**: catalogue, customers and SEO.\n\n- 120+ migrations since 2015\n- Offices in Hamburg and Boston\n- Fixed-price discovery in two weeks",
		budget:      "$50k–$250k", email: "hello@northwind.test",
		specialties: []string{"Store migrations", "SEO", "Custom development"}, areas: []string{"DE", "R-NORDICS", "US"},
		platforms: []string{"Shopify", "Salesforce Commerce Cloud"}, languages: []string{"en", "de"},
		logo: [2]color.NRGBA{{29, 53, 87, 255}, {255, 183, 3, 255}}},
	{org: "acme", partner: "Globex Partners", state: spotlight.Published,
		tagline:     "B2B commerce and analytics across the UK, France and North America.",
		description: "Globex builds B2B storefronts with quoting, price lists and ERP links, and measures what they earn.",
		budget:      "$10k–$50k", email: "sales@globex.test",
		specialties: []string{"B2B commerce", "Analytics"}, areas: []string{"GB", "FR", "R-NA"},
		platforms: []string{"BigCommerce", "Adobe Commerce"}, languages: []string{"en", "fr"},
		logo: [2]color.NRGBA{{0, 109, 119, 255}, {237, 246, 249, 255}}},
	{org: "initech", partner: "Initrode Resellers", state: spotlight.Draft,
		tagline: "Hosting for Initech customers.", specialties: []string{"Hosting"}, areas: []string{"DE"}, languages: []string{"de"}},
}

// demoLogo draws a partner's logo: a rounded field with a ring and a bar,
// re-encoded as the portal stores logos (256×256 PNG).
func demoLogo(c [2]color.NRGBA) []byte {
	const n = 256
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			dx, dy := float64(x-n/2), float64(y-n/2)
			d := dx*dx + dy*dy
			switch {
			case d > 120*120:
				continue // transparent corners: a round badge
			case d < 78*78 && d > 52*52, y > 150 && y < 176 && x > 70 && x < 186:
				img.SetNRGBA(x, y, c[1])
			default:
				img.SetNRGBA(x, y, c[0])
			}
		}
	}
	var b bytes.Buffer
	_ = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img)
	return b.Bytes()
}

func logoKey(orgID, partnerID int64, pngBytes []byte) string {
	sum := sha256.Sum256(pngBytes)
	return fmt.Sprintf("org/%d/logos/%d-%s.png", orgID, partnerID, hex.EncodeToString(sum[:6]))
}

func seedSpotlight(ctx context.Context, q *queries.Queries, now time.Time) error {
	for slug, spec := range directorySpecs {
		org, err := q.GetOrganizationBySlug(ctx, slug)
		if err != nil {
			return err
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		if _, err := q.EnsureDirectorySettings(ctx, queries.EnsureDirectorySettingsParams{OrganizationID: org.ID, Slug: spec.Slug, FormKey: key, Now: now}); err != nil {
			return err
		}
		spec.OrganizationID, spec.Now = org.ID, now
		if slug == "acme" {
			nw, err := q.UpsertPartner(ctx, queries.UpsertPartnerParams{OrganizationID: org.ID, Name: "Northwind Agency", CreatedAt: now})
			if err != nil {
				return err
			}
			spec.FeaturedPartnerIds = []int64{nw.ID}
		} else {
			spec.FeaturedPartnerIds = []int64{}
		}
		if _, err := q.UpdateDirectorySettings(ctx, spec); err != nil {
			return err
		}
	}
	for _, s := range profileSpecs {
		org, err := q.GetOrganizationBySlug(ctx, s.org)
		if err != nil {
			return err
		}
		partner, err := q.UpsertPartner(ctx, queries.UpsertPartnerParams{OrganizationID: org.ID, Name: s.partner, CreatedAt: now})
		if err != nil {
			return err
		}
		if _, err := q.GetPartnerProfile(ctx, queries.GetPartnerProfileParams{OrganizationID: org.ID, PartnerID: partner.ID}); err == nil {
			continue // seeded before
		} else if !queries.IsNotFound(err) {
			return err
		}
		p := spotlight.Profile{CompanyName: s.partner, Website: partner.Website, Tagline: s.tagline, Description: s.description,
			Specialties: s.specialties, Areas: s.areas, Platforms: orEmpty(s.platforms), Languages: s.languages, BudgetBand: s.budget, ContactEmail: s.email}
		if _, err := q.CreatePartnerProfile(ctx, queries.CreatePartnerProfileParams{OrganizationID: org.ID, PartnerID: partner.ID,
			Slug: spotlight.Slugify(s.partner), CompanyName: p.CompanyName, Website: p.Website, Tagline: p.Tagline, Description: p.Description,
			Specialties: p.Specialties, FreeSpecialty: "", Areas: p.Areas, Platforms: p.Platforms, BudgetBand: p.BudgetBand,
			Languages: p.Languages, ContactEmail: p.ContactEmail, Facets: p.Facets(), Now: now}); err != nil {
			return err
		}
		if s.logo[0].A != 0 {
			if err := q.SetPartnerProfileLogo(ctx, queries.SetPartnerProfileLogoParams{OrganizationID: org.ID, PartnerID: partner.ID,
				LogoKey: logoKey(org.ID, partner.ID, demoLogo(s.logo)), Now: now}); err != nil {
				return err
			}
		}
		if s.state != spotlight.Draft {
			if _, err := q.SetPartnerProfileState(ctx, queries.SetPartnerProfileStateParams{OrganizationID: org.ID, PartnerID: partner.ID,
				State: s.state, FromStates: []string{spotlight.Draft}, Now: now}); err != nil {
				return err
			}
		}
	}
	for slug := range directorySpecs {
		org, err := q.GetOrganizationBySlug(ctx, slug)
		if err != nil {
			return err
		}
		d, err := q.GetDirectorySettings(ctx, org.ID)
		if err != nil {
			return err
		}
		if err := q.RankFeaturedProfiles(ctx, queries.RankFeaturedProfilesParams{OrganizationID: org.ID, Featured: d.FeaturedPartnerIds}); err != nil {
			return err
		}
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DemoFiles writes the demo logos into the file store (the database keeps
// only their keys; a fresh store, as each test gets, needs them again).
// Drawing is deterministic, so the content matches the seeded keys.
func DemoFiles(ctx context.Context, store *queries.Store, files storage.Store) error {
	for _, s := range profileSpecs {
		if s.logo[0].A == 0 {
			continue
		}
		org, err := store.GetOrganizationBySlug(ctx, s.org)
		if queries.IsNotFound(err) {
			continue
		} else if err != nil {
			return err
		}
		partner, err := store.UpsertPartner(ctx, queries.UpsertPartnerParams{OrganizationID: org.ID, Name: s.partner, CreatedAt: time.Unix(0, 0)})
		if err != nil {
			return err
		}
		b := demoLogo(s.logo)
		key := logoKey(org.ID, partner.ID, b)
		if _, err := files.Stat(ctx, key); err == nil {
			continue
		}
		if _, err := files.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "image/png"); err != nil {
			return err
		}
	}
	return nil
}
