package training_test

import (
	"slices"
	"testing"
	"time"

	"partnerportal/app/training"
	"partnerportal/queries"
)

// BenchmarkCertificatePDF renders a certificate (fonts, QR code, text) and
// reports p50/p99 of one render:
//
//	go test ./app/training -run '^$' -bench CertificatePDF -benchtime 300x
func BenchmarkCertificatePDF(b *testing.B) {
	score := int32(90)
	exp := time.Date(2028, 3, 2, 0, 0, 0, 0, time.UTC)
	c := queries.Certificate{PublicID: "ABCDEFGHJKLMNPQRSTUV", OrganizationID: 1, CourseTitle: "Acme Cloud Fundamentals",
		PersonName: "Zoë Müller-Łukasiewicz", PartnerName: "Globex Partners", OrgName: "Acme Cloud", ScorePct: &score,
		IssuedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), ExpiresAt: &exp}
	url := training.VerifyURL("https://partners.example.com", c.PublicID)
	d := make([]time.Duration, 0, b.N)
	size := 0
	for range b.N {
		start := time.Now()
		pdf, err := training.RenderPDF(c, url)
		if err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
		size = len(pdf)
	}
	slices.Sort(d)
	pct := func(p int) float64 {
		k := (len(d)*p + 99) / 100
		return float64(d[max(k-1, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
	b.ReportMetric(float64(size), "bytes")
}
