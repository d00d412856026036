package app

// The chart on a tracking link's page: clicks per day (per week or month
// over long periods), drawn on the server as inline SVG. The geometry is
// computed here so the template only places elements; no style attributes
// (the CSP forbids inline styles), colours come from app.css classes.

import (
	"fmt"
	"strconv"
	"time"

	"partnerportal/queries"
)

// Canvas of the clicks chart, in SVG user units (it scales to the column).
const (
	clickChartW, clickChartH                  = 720, 240
	clickChartLeft, clickChartRight           = 48, 12
	clickChartTop, clickChartBottom           = 16, 32
	clickChartMaxLabels                       = 8
	clickChartDailyUpTo, clickChartWeeklyUpTo = 92, 731 // days shown per day / per week; beyond, per month
	clickChartBarSharePercent                 = 70
	clickChartMaxBarW                         = 36 // a few buckets still look like bars
	clickChartMinDays                         = 30 // Lifetime of a young link shows at least this many days
	clickChartPlotW, clickChartPlotH          = clickChartW - clickChartLeft - clickChartRight, clickChartH - clickChartTop - clickChartBottom
)

// clickChart is what links/chart draws.
type clickChart struct {
	W, H                  int
	Left, Right, Bottom   int
	LabelX, LabelY        int
	Unit                  string // day, week, month
	Title, Desc           string
	Total                 int64
	Empty                 bool // no clicks in the range: the page says so instead
	Bars                  []clickBar
	Ticks                 []clickTick
	FirstLabel, LastLabel string
	OutOfRange            bool // the period lies before the link existed or in the future
	BucketLabelForTable   string
}

type clickBar struct {
	X, Y, W, H string // SVG geometry
	CX         string // centre, for the axis label
	Label      string // axis label, empty for most bars
	Long       string // "Mar 3, 2026" / "Week of Mar 2, 2026" / "March 2026"
	Clicks     int64
	Uniques    int64
}

// ClicksText is "1 click" or "n clicks".
func (b clickBar) ClicksText() string { return clicksText(b.Clicks) }

type clickTick struct {
	Y     string
	Label string
}

// clickChartRange is the calendar span the chart covers: the period's days
// up to today; for Lifetime, from the day the link was made (or its first
// recorded click) to today. Dates are midnight UTC of local calendar days.
func clickChartRange(p Period, linkCreated time.Time, rows []queries.ListTrackingLinkDailyStatsRow, now time.Time) (first, last time.Time) {
	day := func(t time.Time) time.Time {
		y, m, d := t.In(p.Loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	today := day(now)
	if p.IsLifetime() {
		first = day(linkCreated)
		if len(rows) > 0 && rows[0].Day.Before(first) {
			y, m, d := rows[0].Day.UTC().Date()
			first = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		// A young link still gets a readable month of days.
		if monthAgo := today.AddDate(0, 0, -(clickChartMinDays - 1)); monthAgo.Before(first) {
			first = monthAgo
		}
		return first, today
	}
	first, _ = time.Parse(dateLayout, p.FromDate)
	last, _ = time.Parse(dateLayout, p.ToDate)
	if last.After(today) {
		last = today
	}
	return first, last
}

// clickChartUnit picks the bucket: days up to three months, weeks up to two
// years, months beyond.
func clickChartUnit(days int) string {
	switch {
	case days <= clickChartDailyUpTo:
		return "day"
	case days <= clickChartWeeklyUpTo:
		return "week"
	}
	return "month"
}

func clicksText(n int64) string {
	if n == 1 {
		return "1 click"
	}
	return strconv.FormatInt(n, 10) + " clicks"
}

// buildClickChart lays out the clicks of the days [first, last] (rows are
// the days that had clicks, in order).
func buildClickChart(rows []queries.ListTrackingLinkDailyStatsRow, first, last time.Time, periodLabel string) *clickChart {
	ch := &clickChart{W: clickChartW, H: clickChartH, Left: clickChartLeft, Right: clickChartW - clickChartRight,
		Bottom: clickChartTop + clickChartPlotH, LabelX: clickChartLeft - 6, LabelY: clickChartTop + clickChartPlotH + 20}
	if last.Before(first) {
		ch.Empty, ch.OutOfRange = true, true
		return ch
	}
	days := int(last.Sub(first).Hours()/24) + 1
	unit := clickChartUnit(days)
	ch.Unit = unit
	ch.BucketLabelForTable = map[string]string{"day": "Day", "week": "Week", "month": "Month"}[unit]

	// Buckets from the first to the last day, filled from the rows.
	type bucket struct {
		start           time.Time
		clicks, uniques int64
	}
	var buckets []bucket
	index := map[time.Time]int{}
	for d := truncDate(first, unit); !d.After(last); d = nextBucket(d, unit) {
		index[d] = len(buckets)
		buckets = append(buckets, bucket{start: d})
	}
	var busiest *bucket
	for _, r := range rows {
		y, m, d := r.Day.UTC().Date() // map keys must share the location
		i, ok := index[truncDate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), unit)]
		if !ok {
			continue
		}
		buckets[i].clicks += r.Clicks
		buckets[i].uniques += r.UniqueVisitors
		ch.Total += r.Clicks
	}
	var top int64
	for i := range buckets {
		if buckets[i].clicks > top {
			top = buckets[i].clicks
			busiest = &buckets[i]
		}
	}
	per := map[string]string{"day": "day", "week": "week", "month": "month"}[unit]
	ch.Title = fmt.Sprintf("Clicks per %s, %s", per, periodLabel)
	ch.FirstLabel, ch.LastLabel = first.Format("Jan 2, 2006"), last.Format("Jan 2, 2006")
	if ch.Total == 0 {
		ch.Empty = true
		ch.Desc = fmt.Sprintf("No clicks from %s to %s.", ch.FirstLabel, ch.LastLabel)
		return ch
	}
	ch.Desc = fmt.Sprintf("%s from %s to %s. The busiest %s was %s with %s.",
		clicksText(ch.Total), ch.FirstLabel, ch.LastLabel, per, bucketLong(busiest.start, unit), clicksText(busiest.clicks))

	// Y axis: about four ticks of a round step.
	step := niceStep((top + 3) / 4)
	axisTop := ((top + step - 1) / step) * step
	for v := int64(0); v <= axisTop; v += step {
		y := float64(clickChartTop) + float64(clickChartPlotH)*(1-float64(v)/float64(axisTop))
		ch.Ticks = append(ch.Ticks, clickTick{Y: px(y), Label: strconv.FormatInt(v, 10)})
	}
	// Bars, with a date label under every k-th.
	slot := float64(clickChartPlotW) / float64(len(buckets))
	barW := min(max(slot*clickChartBarSharePercent/100, 1), clickChartMaxBarW)
	every := (len(buckets) + clickChartMaxLabels - 1) / clickChartMaxLabels
	for i, b := range buckets {
		h := float64(clickChartPlotH) * float64(b.clicks) / float64(axisTop)
		x := float64(clickChartLeft) + float64(i)*slot + (slot-barW)/2
		bar := clickBar{X: px(x), Y: px(float64(clickChartTop+clickChartPlotH) - h), W: px(barW), H: px(h),
			CX: px(x + barW/2), Long: bucketLong(b.start, unit), Clicks: b.clicks, Uniques: b.uniques}
		if i%every == 0 {
			bar.Label = bucketShort(b.start, unit, true)
		}
		ch.Bars = append(ch.Bars, bar)
	}
	return ch
}
