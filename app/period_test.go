package app

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPeriodRanges(t *testing.T) {
	// Instants are written in UTC; the comments give them in the zone.
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, tz, key, from, to string
		now                     string // UTC
		wantFrom, wantTo        string // UTC
		wantLabel, wantErr      string
	}{
		{name: "this month in New York (DST starts Mar 8)", tz: "America/New_York", key: "this_month", now: "2026-03-15T12:00:00Z",
			wantFrom: "2026-03-01T05:00:00Z", wantTo: "2026-04-01T04:00:00Z", wantLabel: "This month"},
		{name: "this month in New York while UTC is already next month", tz: "America/New_York", key: "this_month", now: "2026-04-01T02:00:00Z",
			wantFrom: "2026-03-01T05:00:00Z", wantTo: "2026-04-01T04:00:00Z"}, // Mar 31, 22:00 in New York
		{name: "last month across the November DST end", tz: "America/New_York", key: "last_month", now: "2026-12-10T00:00:00Z",
			wantFrom: "2026-11-01T04:00:00Z", wantTo: "2026-12-01T05:00:00Z"},
		{name: "last month in January is December", tz: "Europe/Berlin", key: "last_month", now: "2026-01-05T10:00:00Z",
			wantFrom: "2025-11-30T23:00:00Z", wantTo: "2025-12-31T23:00:00Z"},
		{name: "last 30 days counts today", tz: "America/New_York", key: "last_30_days", now: "2026-03-20T16:00:00Z",
			wantFrom: "2026-02-19T05:00:00Z", wantTo: "2026-03-21T04:00:00Z"},
		{name: "last 90 days", tz: "Europe/Berlin", key: "last_90_days", now: "2026-04-10T08:00:00Z",
			wantFrom: "2026-01-10T23:00:00Z", wantTo: "2026-04-10T22:00:00Z"},
		{name: "this year", tz: "America/New_York", key: "this_year", now: "2026-07-04T12:00:00Z",
			wantFrom: "2026-01-01T05:00:00Z", wantTo: "2027-01-01T05:00:00Z", wantLabel: "This year"},
		{name: "this year on New Year's Eve evening in New York", tz: "America/New_York", key: "this_year", now: "2027-01-01T03:00:00Z",
			wantFrom: "2026-01-01T05:00:00Z", wantTo: "2027-01-01T05:00:00Z"},
		{name: "last year", tz: "Europe/Berlin", key: "last_year", now: "2026-07-04T12:00:00Z",
			wantFrom: "2024-12-31T23:00:00Z", wantTo: "2025-12-31T23:00:00Z"},
		{name: "custom range is inclusive, across DST", tz: "America/New_York", key: "custom", from: "2026-01-01", to: "2026-03-31", now: "2026-07-01T00:00:00Z",
			wantFrom: "2026-01-01T05:00:00Z", wantTo: "2026-04-01T04:00:00Z", wantLabel: "Jan 1 – Mar 31, 2026"},
		{name: "custom single day on the day DST ends (25 hours)", tz: "America/New_York", key: "custom", from: "2026-11-01", to: "2026-11-01", now: "2026-12-01T00:00:00Z",
			wantFrom: "2026-11-01T04:00:00Z", wantTo: "2026-11-02T05:00:00Z"},
		{name: "custom across years", tz: "UTC", key: "custom", from: "2025-12-15", to: "2026-01-15", now: "2026-02-01T00:00:00Z",
			wantFrom: "2025-12-15T00:00:00Z", wantTo: "2026-01-16T00:00:00Z", wantLabel: "Dec 15, 2025 – Jan 15, 2026"},
		{name: "a day without midnight starts at the DST change", tz: "America/Sao_Paulo", key: "custom", from: "2018-11-04", to: "2018-11-04", now: "2019-01-01T00:00:00Z",
			wantFrom: "2018-11-04T03:00:00Z", wantTo: "2018-11-05T02:00:00Z"},
		{name: "custom with no dates yet starts as this month to today", tz: "America/New_York", key: "custom", now: "2026-03-20T16:00:00Z",
			wantFrom: "2026-03-01T05:00:00Z", wantTo: "2026-03-21T04:00:00Z"},
		{name: "empty is lifetime", tz: "America/New_York", key: "", now: "2026-03-20T16:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantLabel: "Lifetime"},
		{name: "unknown zone falls back to UTC", tz: "Mars/Olympus", key: "this_month", now: "2026-03-20T16:00:00Z",
			wantFrom: "2026-03-01T00:00:00Z", wantTo: "2026-04-01T00:00:00Z"},

		// Refused input: a message and lifetime, never an error page.
		{name: "from after to", tz: "America/New_York", key: "custom", from: "2026-03-31", to: "2026-01-01", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "on or before"},
		{name: "not a date", tz: "America/New_York", key: "custom", from: "2026-02-30", to: "2026-03-01", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "dates like"},
		{name: "garbage", tz: "America/New_York", key: "custom", from: "'; DROP TABLE leads", to: "soon", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "dates like"},
		{name: "one date missing", tz: "America/New_York", key: "custom", from: "2026-01-01", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "both"},
		{name: "too long", tz: "America/New_York", key: "custom", from: "2001-01-01", to: "2026-01-01", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "at most 10 years"},
		{name: "far future", tz: "America/New_York", key: "custom", from: "2026-01-01", to: "9999-12-31", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "between 2000"},
		{name: "unknown period", tz: "America/New_York", key: "fortnight", now: "2026-07-01T00:00:00Z",
			wantFrom: "1970-01-01T00:00:00Z", wantTo: "3000-01-01T00:00:00Z", wantErr: "not one we know"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := parsePeriod(tc.key, tc.from, tc.to, utc(tc.now), tc.tz)
			if got := p.From.Format(time.RFC3339); got != tc.wantFrom {
				t.Errorf("From = %s, want %s", got, tc.wantFrom)
			}
			if got := p.To.Format(time.RFC3339); got != tc.wantTo {
				t.Errorf("To = %s, want %s", got, tc.wantTo)
			}
			if tc.wantLabel != "" && p.Label != tc.wantLabel {
				t.Errorf("Label = %q, want %q", p.Label, tc.wantLabel)
			}
			switch {
			case tc.wantErr == "" && p.Error != "":
				t.Errorf("unexpected error %q", p.Error)
			case tc.wantErr != "" && !strings.Contains(p.Error, tc.wantErr):
				t.Errorf("Error = %q, want it to mention %q", p.Error, tc.wantErr)
			case tc.wantErr != "" && p.Key != "lifetime":
				t.Errorf("refused input left the period at %q, want the lifetime fallback", p.Key)
			}
		})
	}
}

func TestPeriodURLRoundTrip(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for _, c := range periodChoices {
		p := parsePeriod(c.Key, "2026-02-01", "2026-02-28", now, "Europe/Berlin")
		v := url.Values{"status": {"approved"}}
		p.Set(v)
		back := parsePeriod(v.Get("period"), v.Get("from"), v.Get("to"), now, "Europe/Berlin")
		if back.Key != c.Key || !back.From.Equal(p.From) || !back.To.Equal(p.To) || v.Get("status") != "approved" {
			t.Errorf("%s: %s does not read back (got %s %s–%s)", c.Key, v.Encode(), back.Key, back.From, back.To)
		}
		if c.Key != "custom" && v.Has("from") {
			t.Errorf("%s: the URL carries custom dates: %s", c.Key, v.Encode())
		}
	}
}

func TestPeriodChartUnit(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ key, from, to, want string }{
		{"this_month", "", "", "day"},
		{"last_30_days", "", "", "day"},
		{"last_90_days", "", "", "week"},
		{"this_year", "", "", "month"},
		{"lifetime", "", "", "month"},
		{"custom", "2026-01-01", "2026-01-31", "day"},
		{"custom", "2026-01-01", "2026-02-01", "week"},
		{"custom", "2026-01-01", "2026-06-30", "week"},
		{"custom", "2026-01-01", "2026-07-31", "month"},
	} {
		p := parsePeriod(tc.key, tc.from, tc.to, now, "America/New_York")
		if got := chartUnit(p); got != tc.want {
			t.Errorf("%s %s–%s: unit %s, want %s", tc.key, tc.from, tc.to, got, tc.want)
		}
	}
}
