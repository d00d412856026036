package app

import (
	"testing"
	"time"

	"partnerportal/queries"
)

func TestClickChart(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(dateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	row := func(s string, clicks int64) queries.ListTrackingLinkDailyStatsRow {
		// As pgx returns it: midnight UTC, in the local location.
		return queries.ListTrackingLinkDailyStatsRow{Day: day(s).Local(), Clicks: clicks, UniqueVisitors: clicks}
	}
	cases := []struct {
		name                string
		first, last         string
		rows                []queries.ListTrackingLinkDailyStatsRow
		unit                string
		bars                int
		total               int64
		empty, out          bool
		topTick, firstLabel string
	}{
		{"days", "2026-03-01", "2026-03-10", []queries.ListTrackingLinkDailyStatsRow{row("2026-03-03", 5), row("2026-03-04", 1)},
			"day", 10, 6, false, false, "6", "Mar 1"},
		{"weeks", "2026-01-01", "2026-06-30", []queries.ListTrackingLinkDailyStatsRow{row("2026-01-01", 40), row("2026-01-02", 2)},
			"week", 27, 42, false, false, "60", "Dec 29"},
		{"months", "2023-01-15", "2026-03-10", []queries.ListTrackingLinkDailyStatsRow{row("2024-02-29", 1000)},
			"month", 39, 1000, false, false, "1000", "Jan 2023"},
		{"no clicks", "2026-03-01", "2026-03-31", nil, "day", 0, 0, true, false, "", ""},
		{"before the link existed", "2026-03-10", "2026-03-01", nil, "", 0, 0, true, true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := buildClickChart(tc.rows, day(tc.first), day(tc.last), "Test")
			if ch.Unit != tc.unit || len(ch.Bars) != tc.bars || ch.Total != tc.total || ch.Empty != tc.empty || ch.OutOfRange != tc.out {
				t.Fatalf("unit %q bars %d total %d empty %v out %v", ch.Unit, len(ch.Bars), ch.Total, ch.Empty, ch.OutOfRange)
			}
			if tc.empty {
				return
			}
			if top := ch.Ticks[len(ch.Ticks)-1]; top.Label != tc.topTick || top.Y != "16.0" || ch.Ticks[0].Label != "0" {
				t.Fatalf("ticks %+v", ch.Ticks)
			}
			if ch.Bars[0].Label != tc.firstLabel {
				t.Fatalf("first label %q", ch.Bars[0].Label)
			}
			var sum int64
			labels := 0
			for _, b := range ch.Bars {
				sum += b.Clicks
				if b.Label != "" {
					labels++
				}
			}
			if sum != tc.total || labels > clickChartMaxLabels {
				t.Fatalf("bars sum to %d with %d labels", sum, labels)
			}
		})
	}
}

func TestClickChartRange(t *testing.T) {
	now := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC) // Mar 9, 22:00 in New York
	tz := "America/New_York"
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name        string
		period      Period
		created     time.Time
		first, last time.Time
	}{
		{"young link, lifetime: a month of days", parsePeriod("lifetime", "", "", now, tz), now.AddDate(0, 0, -2), date(2026, 2, 8), date(2026, 3, 9)},
		{"old link, lifetime: since it was made", parsePeriod("lifetime", "", "", now, tz), date(2025, 6, 1).Add(12 * time.Hour), date(2025, 6, 1), date(2026, 3, 9)},
		{"this month: up to today", parsePeriod("this_month", "", "", now, tz), date(2020, 1, 1), date(2026, 3, 1), date(2026, 3, 9)},
		{"last year: whole year", parsePeriod("last_year", "", "", now, tz), date(2020, 1, 1), date(2025, 1, 1), date(2025, 12, 31)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first, last := clickChartRange(tc.period, tc.created, nil, now)
			if !first.Equal(tc.first) || !last.Equal(tc.last) {
				t.Fatalf("range %s – %s, want %s – %s", first.Format(dateLayout), last.Format(dateLayout), tc.first.Format(dateLayout), tc.last.Format(dateLayout))
			}
		})
	}
	ch := buildClickChart([]queries.ListTrackingLinkDailyStatsRow{{Day: date(2026, 3, 9), Clicks: 1}}, date(2026, 2, 8), date(2026, 3, 9), "Lifetime")
	if ch.Desc != "1 click from Feb 8, 2026 to Mar 9, 2026. The busiest day was Mar 9, 2026 with 1 click." {
		t.Fatalf("description %q", ch.Desc)
	}
	if w := ch.Bars[0].W; w != "15.4" { // 660 / 30 days × 70 %
		t.Fatalf("bar width %s", w)
	}
	if w := buildClickChart(nil, date(2026, 3, 1), date(2026, 3, 2), "").Bars; w != nil {
		t.Fatal("bars drawn without clicks")
	}
	two := buildClickChart([]queries.ListTrackingLinkDailyStatsRow{{Day: date(2026, 3, 2), Clicks: 4}}, date(2026, 3, 1), date(2026, 3, 2), "")
	if w := two.Bars[1].W; w != "36.0" {
		t.Fatalf("two days: bar width %s, want the cap", w)
	}
}
