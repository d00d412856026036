package app

import (
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Period is the span of time the Dashboard reports on. Periods are whole
// days in the ORGANIZATION's time zone (so every member of a partner company
// sees the same figures), turned into the UTC instants [From, To) the
// queries compare timestamps with.
type Period struct {
	Key      string    // lifetime, this_month, …, custom
	Label    string    // what the page calls it: "This month", "Jan 1 – Mar 31, 2026"
	From, To time.Time // [From, To) in UTC
	// The custom range as the date inputs show it (YYYY-MM-DD, both
	// inclusive); for a refused range, what the person typed.
	FromDate, ToDate string
	Error            string // why a custom range was refused (the period fell back to Lifetime)
	// Selected is what the period select shows: the Key, except after a
	// refused custom range, which stays selected (with the typed dates) so
	// the person can correct it.
	Selected string
	Loc      *time.Location
}

// periodChoice is one entry of the period <select>.
type periodChoice struct{ Key, Label string }

var periodChoices = []periodChoice{
	{"lifetime", "Lifetime"},
	{"this_month", "This month"},
	{"last_month", "Last month"},
	{"last_30_days", "Last 30 days"},
	{"last_90_days", "Last 90 days"},
	{"this_year", "This year"},
	{"last_year", "Last year"},
	{"custom", "Custom range"},
}

// Lifetime is "everything": bounds wide enough for any stored timestamp, so
// the queries always compare with concrete values and keep using their
// indexes.
var (
	lifetimeFrom = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	lifetimeTo   = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Limits of a custom range.
const (
	customMinYear  = 2000
	customMaxYears = 10
	dateLayout     = "2006-01-02"
)

// IsLifetime reports whether the period has no bounds.
func (p Period) IsLifetime() bool { return p.Key == "lifetime" }

// Choices lists the options of the period select.
func (p Period) Choices() []periodChoice { return periodChoices }

// Set writes the period into URL values (the form fields it came from).
func (p Period) Set(v url.Values) {
	v.Set("period", p.Key)
	v.Del("from")
	v.Del("to")
	if p.Key == "custom" {
		v.Set("from", p.FromDate)
		v.Set("to", p.ToDate)
	}
}

// parsePeriod reads ?period=…&from=…&to=… at the instant now, in the zone
// tz (an IANA name; UTC when unknown). Unknown or refused input never fails
// the request: the period falls back to Lifetime and Error says why.
func parsePeriod(key, from, to string, now time.Time, tz string) Period {
	loc, err := loadZone(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	now = now.In(loc)
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // a calendar date, not an instant
	p := Period{Key: key, Loc: loc}
	// span sets the period to the local days [first, last] (both inclusive).
	span := func(first, last time.Time) {
		p.From, p.To = startOfDay(first, loc), startOfDay(last.AddDate(0, 0, 1), loc)
		p.FromDate, p.ToDate = first.Format(dateLayout), last.Format(dateLayout)
	}
	switch key {
	case "", "lifetime":
		p.Key = "lifetime"
	case "this_month":
		first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		span(first, first.AddDate(0, 1, -1))
	case "last_month":
		first := time.Date(y, m-1, 1, 0, 0, 0, 0, time.UTC)
		span(first, first.AddDate(0, 1, -1))
	case "last_30_days":
		span(today.AddDate(0, 0, -29), today)
	case "last_90_days":
		span(today.AddDate(0, 0, -89), today)
	case "this_year":
		span(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
	case "last_year":
		span(time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y-1, 12, 31, 0, 0, 0, 0, time.UTC))
	case "custom":
		first, last, problem := parseCustomRange(from, to, today)
		if problem == "" {
			span(first, last)
			break
		}
		p = Period{Key: "lifetime", Selected: "custom", Loc: loc, FromDate: from, ToDate: to,
			Error: problem + " Showing lifetime figures instead."}
	default:
		p = Period{Key: "lifetime", Loc: loc, Error: "That time period is not one we know. Showing lifetime figures instead."}
	}
	if p.Key == "lifetime" {
		p.From, p.To = lifetimeFrom, lifetimeTo
	}
	p.From, p.To = p.From.UTC(), p.To.UTC()
	if p.Selected == "" {
		p.Selected = p.Key
	}
	p.Label = periodLabel(p)
	return p
}

// parseCustomRange checks a typed range. Empty on both ends means the person
// has just picked "Custom range": it starts as this month up to today.
func parseCustomRange(from, to string, today time.Time) (time.Time, time.Time, string) {
	if from == "" && to == "" {
		return time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC), today, ""
	}
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, "Choose both a start and an end date for the custom range."
	}
	first, err1 := time.Parse(dateLayout, from)
	last, err2 := time.Parse(dateLayout, to)
	switch {
	case err1 != nil || err2 != nil:
		return first, last, "Enter the custom range as dates like 2026-01-31."
	case first.After(last):
		return first, last, "The start date of the custom range must be on or before its end date."
	case first.Year() < customMinYear || last.After(today.AddDate(1, 0, 0)):
		return first, last, "Choose dates between 2000 and one year from today."
	case last.After(first.AddDate(customMaxYears, 0, 0)):
		return first, last, "A custom range can cover at most 10 years."
	}
	return first, last, ""
}

// startOfDay is the first instant of a calendar date in loc. Where a zone
// skips midnight (a DST change at 00:00, as São Paulo had), the day starts at
// the change, not an hour early on the day before.
func startOfDay(date time.Time, loc *time.Location) time.Time {
	y, m, d := date.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if ty, tm, td := t.Date(); ty != y || tm != m || td != d {
		_, end := t.ZoneBounds()
		if !end.IsZero() {
			t = end
		}
	}
	return t
}

// Days is the period as the calendar days [from, to) of its zone, the way
// the day tables (lead_daily_counts, lead_daily_wins) key their rows: the
// local dates From and To fall on. From and To start local days, so the
// days hold exactly the instants [From, To) (lifetime: within hours of its
// far-away bounds).
func (p Period) Days() (from, to pgtype.Date) {
	loc := p.Loc
	if loc == nil {
		loc = time.UTC
	}
	return pgDate(p.From.In(loc)), pgDate(p.To.In(loc))
}

// pgDate is the calendar date t shows (in its own location) as a SQL date.
func pgDate(t time.Time) pgtype.Date {
	y, m, d := t.Date()
	return pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
}

// Span is the period's days as people read them: "Mar 1 – Mar 31, 2026"
// (empty for lifetime).
func (p Period) Span() string {
	if p.IsLifetime() {
		return ""
	}
	first, err1 := time.Parse(dateLayout, p.FromDate)
	last, err2 := time.Parse(dateLayout, p.ToDate)
	switch {
	case err1 != nil || err2 != nil:
		return ""
	case first.Equal(last):
		return first.Format("Jan 2, 2006")
	case first.Year() == last.Year():
		return first.Format("Jan 2") + " – " + last.Format("Jan 2, 2006")
	}
	return first.Format("Jan 2, 2006") + " – " + last.Format("Jan 2, 2006")
}

func periodLabel(p Period) string {
	if p.Key == "custom" {
		return p.Span()
	}
	for _, c := range periodChoices {
		if c.Key == p.Key {
			return c.Label
		}
	}
	return p.Key
}
