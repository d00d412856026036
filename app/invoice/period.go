// Package invoice is the invoice run and what follows it: self-billing
// invoices made from a partner's approved commissions (one per partner,
// currency and period, numbered without gaps per organization), their PDFs,
// marking paid, voiding, credit notes, payout batches and their bank files.
// The worker task and the pages call it; it holds the rules.
package invoice

import (
	"fmt"
	"strings"
	"time"
)

// Period kinds of the program settings.
const (
	Monthly      = "monthly"
	TwiceMonthly = "twice_monthly"
	Manual       = "manual"
)

// Periods lists the kinds in the order the settings form shows them.
var Periods = []string{Monthly, TwiceMonthly, Manual}

// Period is what one run invoices: approved commissions approved before End
// (the close, midnight in the organization's time zone). Key names it in
// the database (one live invoice per partner, currency and key).
type Period struct {
	Key, Label string
	End        time.Time
}

// MonthPeriod is a calendar month in loc.
func MonthPeriod(loc *time.Location, year int, month time.Month) Period {
	start := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	return Period{Key: start.Format("2006-01"), Label: start.Format("January 2006"), End: start.AddDate(0, 1, 0)}
}

// HalfPeriod is the first (1st–15th) or second (16th–end) half of a month.
func HalfPeriod(loc *time.Location, year int, month time.Month, second bool) Period {
	start := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	if !second {
		return Period{Key: start.Format("2006-01") + "-1", Label: "1–15 " + start.Format("January 2006"),
			End: start.AddDate(0, 0, 15)}
	}
	end := start.AddDate(0, 1, 0)
	last := end.AddDate(0, 0, -1).Day()
	return Period{Key: start.Format("2006-01") + "-2", Label: fmt.Sprintf("16–%d %s", last, start.Format("January 2006")), End: end}
}

// DayPeriod is a manual run: everything approved up to the end of day (in loc).
func DayPeriod(loc *time.Location, now time.Time) Period {
	d := now.In(loc)
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	return Period{Key: start.Format("2006-01-02"), Label: "Up to " + start.Format("2 January 2006"), End: start.AddDate(0, 0, 1)}
}

// LastClosed is the most recent period of this kind that has closed at now
// in loc; manual programs have none (ok false).
func LastClosed(kind string, loc *time.Location, now time.Time) (Period, bool) {
	d := now.In(loc)
	switch kind {
	case Monthly:
		prev := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
		return MonthPeriod(loc, prev.Year(), prev.Month()), true
	case TwiceMonthly:
		if d.Day() > 15 {
			return HalfPeriod(loc, d.Year(), d.Month(), false), true
		}
		prev := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0)
		return HalfPeriod(loc, prev.Year(), prev.Month(), true), true
	}
	return Period{}, false
}

// ForRun is the period an operator's run means: --period YYYY-MM names a
// month (for a twice-monthly program its second half, which closes with
// the month; for a manual one, the month too); empty means the last closed
// period, or today for a manual program.
func ForRun(kind string, loc *time.Location, now time.Time, month string) (Period, error) {
	if month == "" {
		if p, ok := LastClosed(kind, loc, now); ok {
			return p, nil
		}
		return DayPeriod(loc, now), nil
	}
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(month), loc)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", month)
	}
	var p Period
	if kind == TwiceMonthly {
		p = HalfPeriod(loc, t.Year(), t.Month(), true)
	} else {
		p = MonthPeriod(loc, t.Year(), t.Month())
	}
	if p.End.After(now) {
		return Period{}, fmt.Errorf("period %s has not closed yet", month)
	}
	return p, nil
}

// Location loads an organization's zone, UTC when it is unknown.
func Location(tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DueDate is the issue date plus NET days, both dates in the organization's
// zone (returned as midnight UTC of that calendar day, the form stored).
func DueDate(issued time.Time, netDays int) time.Time { return issued.AddDate(0, 0, netDays) }

// IssueDate is now's calendar day in loc, as midnight UTC.
func IssueDate(loc *time.Location, now time.Time) time.Time {
	d := now.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}
