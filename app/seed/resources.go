package seed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"partnerportal/app/resource"
	"partnerportal/app/storage"
	"partnerportal/queries"
)

// Partner Room demo data: the categories and a handful of real small files
// made here (a PDF with text, PNG and JPEG images, a Markdown template, a
// short WebM video made by ffmpeg when it is installed), a link, and a price
// sheet only the Premium tier sees. Their text and
// previews are made at once (resource.Process), so the demo needs no worker
// run to look complete. Organizations that already have resources are left
// alone.

// ResourceCategories is the starting category list.
var ResourceCategories = []string{"Marketing", "Product docs", "Sales enablement", "Training", "Templates"}

type demoResource struct {
	title, description, category, file, link string
	tags                                     []string
	featured                                 bool
	tier                                     string // "" all partners
	body                                     func(org string, now time.Time) ([]byte, error)
}

var demoResources = []demoResource{
	{title: "Product overview", category: "Product docs", file: "product-overview.pdf", featured: true, tags: []string{"overview", "pdf"},
		description: "What the platform does, for whom, and how it compares. Start here.",
		body: func(org string, now time.Time) ([]byte, error) {
			return resource.SamplePDF(org+" product overview", []string{
				"The platform runs your workloads in three regions with automatic failover. Customers pick it for its predictable pricing, its audit trail and its quick onboarding.",
				"Integrations: single sign-on, data warehouse export, and the webhooks partners use to connect their own tools. The heliotrope dashboard shows every deployment at a glance.",
				"Support: business-hours support in every plan, round-the-clock support in Enterprise.",
			}, now)
		}},
	{title: "Premium price sheet", category: "Sales enablement", file: "premium-price-sheet.pdf", tier: "Premium", tags: []string{"pricing"},
		description: "Discount bands and deal registration terms for Premium partners.",
		body: func(org string, now time.Time) ([]byte, error) {
			return resource.SamplePDF(org+" Premium price sheet", []string{"Premium partners receive a 20 percent margin on new subscriptions and 10 percent on renewals. Ask about the marigold bundle."}, now)
		}},
	{title: "Logo, colour", category: "Marketing", file: "logo.png", tags: []string{"brand", "logo"},
		description: "The logo for light backgrounds. Keep a clear space of half its height around it.",
		body:        func(string, time.Time) ([]byte, error) { return resource.SamplePNG(640, 320), nil }},
	{title: "Booth photo", category: "Marketing", file: "booth.jpg", tags: []string{"brand", "events"},
		description: "Our booth at the last partner summit, for your event announcements.",
		body:        func(string, time.Time) ([]byte, error) { return resource.SampleJPEG(1200, 800), nil }},
	{title: "Introduction email template", category: "Templates", file: "intro-email.md", tags: []string{"email", "template"},
		description: "An email to introduce the product to a prospect. Replace the bracketed parts.",
		body: func(org string, _ time.Time) ([]byte, error) {
			return []byte("# Introduction email\n\nSubject: **A faster way to run [their product]**\n\nHi [first name],\n\n" +
				"We help teams like yours at [company] run their services on " + org + " with *automatic failover* and predictable pricing.\n\n" +
				"- Three regions\n- Single sign-on\n- Round-the-clock support\n\nWould a 20-minute call next week work?\n\n[Your name]\n"), nil
		}},
	{title: "Product tour video", category: "Marketing", file: "product-tour.webm", tags: []string{"video", "tour"},
		description: "A three-second test-pattern clip standing in for the product tour; plays in the page with seeking.",
		body:        func(string, time.Time) ([]byte, error) { return demoVideoBytes("webm") }},
	{title: "Sales training webinar", category: "Training", link: "https://example.com/webinars/partner-sales", tags: []string{"webinar", "sales"},
		description: "The recorded partner sales training (45 minutes)."},
}

// Resources seeds Partner Room for every demo organization into files.
func Resources(ctx context.Context, store *queries.Store, files storage.Store, log *slog.Logger, now time.Time) error {
	allowed := []string{"application/pdf", "image/png", "image/jpeg", "text/markdown", "video/webm"}
	noVideoLogged := false
	made := 0
	for _, o := range Organizations {
		org, err := store.GetOrganizationBySlug(ctx, o.slug)
		if err != nil {
			return fmt.Errorf("seed resources %s: %w", o.slug, err)
		}
		n, err := store.CountResources(ctx, org.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		cats := map[string]int64{}
		for i, name := range ResourceCategories {
			c, err := store.UpsertResourceCategory(ctx, queries.UpsertResourceCategoryParams{OrganizationID: org.ID, Name: name, Position: int32(i + 1), Now: now})
			if err != nil {
				return err
			}
			cats[name] = c.ID
		}
		tiers, err := store.ListTiers(ctx, org.ID)
		if err != nil {
			return err
		}
		for i, d := range demoResources {
			var stored *resource.Stored
			if d.body != nil {
				b, err := d.body(org.Name, now)
				if errors.Is(err, ErrNoFFmpeg) {
					if !noVideoLogged {
						log.Warn("demo video skipped: ffmpeg is not installed")
						noVideoLogged = true
					}
					continue
				} else if err != nil {
					return err
				}
				s, err := resource.Receive(ctx, files, org.ID, d.file, bytes.NewReader(b), int64(len(b)), allowed)
				if err != nil {
					return fmt.Errorf("seed %s: %w", d.file, err)
				}
				stored = &s
			}
			cat := cats[d.category]
			at := now.Add(time.Duration(i-len(demoResources)) * 24 * time.Hour) // newest last
			var version queries.ResourceVersion
			err := store.Tx(ctx, func(q *queries.Queries) error {
				vis := "all"
				if d.tier != "" {
					vis = "tiers"
				}
				r, err := q.CreateResource(ctx, queries.CreateResourceParams{OrganizationID: org.ID, CategoryID: &cat, Title: d.title,
					Description: d.description, Tags: d.tags, Visibility: vis, Featured: d.featured, LinkUrl: d.link, Now: at})
				if err != nil {
					return err
				}
				for _, t := range tiers {
					if t.Name == d.tier {
						if err := q.AddResourceTier(ctx, queries.AddResourceTierParams{OrganizationID: org.ID, ResourceID: r.ID, TierID: t.ID}); err != nil {
							return err
						}
					}
				}
				if stored == nil {
					return nil
				}
				state := "none" // as an upload: a video plays from the file itself
				if resource.NeedsWorker(stored.Type) {
					state = "pending"
				}
				version, err = q.CreateResourceVersion(ctx, queries.CreateResourceVersionParams{OrganizationID: org.ID, ResourceID: r.ID,
					StorageKey: stored.Key, FileName: stored.Name, Mime: stored.Type, SizeBytes: stored.Size, Sha256: stored.SHA256, Now: at, PreviewState: state})
				if err != nil {
					return err
				}
				return q.SetResourceCurrentVersion(ctx, queries.SetResourceCurrentVersionParams{OrganizationID: org.ID, ID: r.ID, VersionID: &version.ID, Now: at})
			})
			if err != nil {
				return err
			}
			made++
			if stored == nil || !resource.NeedsWorker(stored.Type) {
				continue
			}
			res, err := resource.Process(ctx, files, resource.Version{OrganizationID: org.ID, ResourceID: version.ResourceID, ID: version.ID, Key: stored.Key, Type: stored.Type})
			if err != nil {
				return err
			}
			state := "ready"
			if res.Err != "" && res.Pages == 0 {
				state = "failed"
			}
			if err := store.SetResourceBodyText(ctx, queries.SetResourceBodyTextParams{OrganizationID: org.ID, ResourceID: version.ResourceID, VersionID: &version.ID, BodyText: res.Text}); err != nil {
				return err
			}
			if err := store.SetVersionPreview(ctx, queries.SetVersionPreviewParams{OrganizationID: org.ID, ID: version.ID, PreviewState: state, PreviewError: res.Err, PreviewPages: int32(res.Pages)}); err != nil {
				return err
			}
		}
	}
	log.Info("demo resources loaded", "resources", made)
	return nil
}

// demoVideoBytes is DemoVideo's file, read back (a few tens of KB).
func demoVideoBytes(format string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "seed-video-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path, err := DemoVideo(context.Background(), dir, format)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}
