package app

import (
	"testing"
	"time"
)

func TestDashboardChartTicks(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{{0, 1}, {1, 1}, {3, 5}, {6, 10}, {11, 20}, {2001, 5000}} {
		if got := niceStep(tc.in); got != tc.want {
			t.Errorf("niceStep(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		minor    int64
		cur, out string
	}{
		{0, "USD", "$0"}, {2_000_000, "USD", "$20,000"}, {150_000_000, "EUR", "€1.5M"},
		{300_000, "CHF", "3,000 CHF"}, {5000, "JPY", "¥5,000"},
	} {
		if got := shortMoney(tc.minor, tc.cur); got != tc.out {
			t.Errorf("shortMoney(%d, %s) = %q, want %q", tc.minor, tc.cur, got, tc.out)
		}
	}
}

// The buckets are the organization's calendar days (the day rows are keyed
// by local date), and the period's instants start at midnight of those days,
// whatever UTC offset that midnight has.
func TestPeriodChartBuckets(t *testing.T) {
	now := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
	p := parsePeriod("custom", "2026-03-07", "2026-03-09", now, "America/New_York")
	sp := newChartSpan(p, now)
	want := []string{"2026-03-07", "2026-03-08", "2026-03-09"} // DST starts Mar 8
	if sp.Unit != "day" || len(sp.Dates) != len(want) {
		t.Fatalf("unit %s, %d bounds", sp.Unit, len(sp.Dates))
	}
	for i, w := range want {
		if got := sp.Dates[i].Format(dateLayout); got != w {
			t.Errorf("bound %d = %s, want %s", i, got, w)
		}
	}
	if got := sp.FirstBucket.Time.Format(dateLayout); !sp.FirstBucket.Valid || got != want[0] {
		t.Errorf("first bucket %s", got)
	}
	if from, to := p.From.Format(time.RFC3339), p.To.Format(time.RFC3339); from != "2026-03-07T05:00:00Z" || to != "2026-03-10T04:00:00Z" {
		t.Errorf("period [%s, %s)", from, to)
	}
	if df, dt := p.Days(); df.Time.Format(dateLayout) != "2026-03-07" || dt.Time.Format(dateLayout) != "2026-03-10" {
		t.Errorf("days [%s, %s)", df.Time.Format(dateLayout), dt.Time.Format(dateLayout))
	}
	// Weeks start on Monday (Mar 2, 2026), even before the period does.
	wk := newChartSpan(parsePeriod("custom", "2026-03-04", "2026-05-01", now, "UTC"), now)
	if wk.Unit != "week" || wk.Dates[0].Format(dateLayout) != "2026-03-02" || wk.Dates[len(wk.Dates)-1].Format(dateLayout) != "2026-04-27" {
		t.Errorf("weeks %s … %s (%s)", wk.Dates[0].Format(dateLayout), wk.Dates[len(wk.Dates)-1].Format(dateLayout), wk.Unit)
	}
}
