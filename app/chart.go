package app

// The Overview chart: leads created (bars) and revenue won (line) over the
// period, drawn on the server as inline SVG. Geometry is computed here so
// the template only places elements; amounts stay integers of minor units
// (pixel heights are integer arithmetic on them, no floats near money).

import (
	"fmt"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// Chart canvas (SVG user units; the SVG scales to the column width).
const (
	chartW, chartH             = 760, 280
	chartLeft, chartRight      = 48, 84
	chartTop, chartBottom      = 28, 44
	chartPlotW, chartPlotH     = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartTicks                 = 4
	chartMaxLabels             = 8
	chartMaxLabelsLongLabel    = 6
	chartMaxBucketsForMarkers  = 40
	chartBarShareOfSlotPercent = 60
)

// chartUnit picks the bucket size from the span: days up to a month, weeks
// up to half a year, months beyond (and for lifetime).
func chartUnit(p Period) string {
	if p.IsLifetime() {
		return "month"
	}
	first, err1 := time.Parse(dateLayout, p.FromDate)
	last, err2 := time.Parse(dateLayout, p.ToDate)
	if err1 != nil || err2 != nil {
		return "month"
	}
	days := int(last.Sub(first).Hours()/24) + 1
	switch {
	case days <= 31:
		return "day"
	case days <= 183:
		return "week"
	}
	return "month"
}

// truncDate is the first day of the bucket holding a calendar date (weeks
// start on Monday, ISO style).
func truncDate(d time.Time, unit string) time.Time {
	switch unit {
	case "week":
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case "month":
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

func nextBucket(d time.Time, unit string) time.Time {
	switch unit {
	case "week":
		return d.AddDate(0, 0, 7)
	case "month":
		return d.AddDate(0, 1, 0)
	}
	return d.AddDate(0, 0, 1)
}

type chartTick struct {
	Y     int
	Label string
}

type chartBucket struct {
	Label     string // tick label, empty where labels would crowd
	Long      string // for the table: "Mar 5, 2026", "Week of Mar 2, 2026", "March 2026"
	Leads     int64
	Won       int64
	Revenue   []string // one per currency in chart.Currencies order
	X         string   // bar left edge
	BarW      string
	BarY      int
	BarH      int
	CX        string // centre of the slot (tick label, line point)
	LineY     int
	revenueBy map[string]int64
}

// chart is what "dashboard/chart" renders.
type chart struct {
	W, H, Left, Right, Top, Bottom int // canvas and plot edges
	LeftLabelX, RightLabelX        int // where the axis tick labels sit
	BottomLabelY                   int
	Buckets                        []chartBucket
	LeadTicks, RevenueTicks        []chartTick
	Line                           string // polyline points of the revenue line
	Markers                        bool   // dots on the line (few buckets)
	Currency                       string // currency of the line and right axis
	Currencies                     []string
	OtherCurrencies                []string // won revenue not drawn (different currency)
	UnitLabel                      string   // "day", "week", "month"
	Title, Desc                    string
	Empty                          bool
	// Figures of the whole period, from the same rows.
	Leads, Won int64
	Revenue    map[string]int64
}

// chartSpan is the buckets of a chart: the calendar dates they start on (in
// the organization's zone). The queries number a day row's bucket from the
// first one (FirstBucket, FirstMonth) by the unit.
type chartSpan struct {
	Unit        string
	Dates       []time.Time // local calendar dates, UTC-labelled
	FirstBucket pgtype.Date // Dates[0] as the queries take it
	FirstMonth  int32       // Dates[0]'s year * 12 + month
}

// lifetimeSpans keeps the lifetime chart's buckets (683 months from 1970),
// which change once a month: unit + last bucket → the span (read-only).
var lifetimeSpans sync.Map

// newChartSpan lists the buckets of a period: from the one holding its first
// day to the one holding its last (lifetime: from 1970 to the current one;
// the chart starts at the first bucket with data).
func newChartSpan(p Period, now time.Time) chartSpan {
	sp := chartSpan{Unit: chartUnit(p)}
	var start, end time.Time
	if p.IsLifetime() {
		y, m, d := now.In(p.Loc).Date()
		start, end = truncDate(lifetimeFrom, sp.Unit), truncDate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), sp.Unit)
	} else {
		first, _ := time.Parse(dateLayout, p.FromDate)
		last, _ := time.Parse(dateLayout, p.ToDate)
		start, end = truncDate(first, sp.Unit), truncDate(last, sp.Unit)
	}
	key := sp.Unit + end.Format(dateLayout)
	if p.IsLifetime() {
		if cached, ok := lifetimeSpans.Load(key); ok {
			return cached.(chartSpan)
		}
	}
	for d := start; !d.After(end); d = nextBucket(d, sp.Unit) {
		sp.Dates = append(sp.Dates, d)
	}
	sp.FirstBucket = pgDate(start)
	sp.FirstMonth = int32(start.Year()*12 + int(start.Month()))
	if p.IsLifetime() {
		lifetimeSpans.Store(key, sp)
	}
	return sp
}

// buildChart turns the grouped rows of ChartCreatedLeadsForPartner and
// ChartWonLeadsForPartner (bucket numbers are 1-based positions in
// span.Dates) into the chart, filling empty buckets with zeros.
func buildChart(created []queries.ChartCreatedLeadsForPartnerRow, won []queries.ChartWonLeadsForPartnerRow,
	span chartSpan, p Period, orgCurrency string) *chart {
	unit := span.Unit
	ch := &chart{W: chartW, H: chartH, Left: chartLeft, Right: chartW - chartRight, Top: chartTop,
		Bottom: chartTop + chartPlotH, LeftLabelX: chartLeft - 8, RightLabelX: chartW - chartRight + 8,
		BottomLabelY: chartTop + chartPlotH + 20, UnitLabel: unit, Revenue: map[string]int64{}}
	n := len(span.Dates)
	leads, wonN := make([]int64, n), make([]int64, n)
	rev := make([]map[string]int64, n)
	first := n // the first bucket with data
	at := func(bucket int32) int {
		i := min(max(int(bucket)-1, 0), n-1)
		first = min(first, i)
		return i
	}
	for _, r := range created {
		i := at(r.Bucket)
		leads[i] += r.Leads
		ch.Leads += r.Leads
	}
	for _, r := range won {
		i := at(r.Bucket)
		wonN[i] += r.Won
		if rev[i] == nil {
			rev[i] = map[string]int64{}
		}
		rev[i][r.Currency] += r.RevenueMinor
		ch.Won += r.Won
		ch.Revenue[r.Currency] += r.RevenueMinor
	}
	if !p.IsLifetime() {
		first = 0
	}
	if n == 0 || first >= n {
		ch.Empty = true
		ch.Title, ch.Desc = "Leads and revenue", "No leads yet."
		return ch
	}
	ch.Empty = ch.Leads == 0 && ch.Won == 0
	start, end := span.Dates[first], span.Dates[n-1]

	// The line shows one currency: the organization's, or the one with won
	// revenue when the partner sold only in another.
	ch.Currency = orgCurrency
	for cur := range ch.Revenue {
		ch.Currencies = append(ch.Currencies, cur)
	}
	ch.Currencies = sortedCurrencies(ch.Currencies, orgCurrency)
	if _, ok := ch.Revenue[orgCurrency]; !ok && len(ch.Currencies) > 0 {
		ch.Currency = ch.Currencies[0]
	}
	for _, cur := range ch.Currencies {
		if cur != ch.Currency {
			ch.OtherCurrencies = append(ch.OtherCurrencies, cur)
		}
	}

	var maxLeads, maxRev int64
	for i := first; i < n; i++ {
		b := chartBucket{Long: bucketLong(span.Dates[i], unit), Leads: leads[i], Won: wonN[i], revenueBy: rev[i]}
		maxLeads = max(maxLeads, b.Leads)
		maxRev = max(maxRev, b.revenueBy[ch.Currency])
		for _, cur := range ch.Currencies {
			b.Revenue = append(b.Revenue, money.Format(b.revenueBy[cur], cur))
		}
		ch.Buckets = append(ch.Buckets, b)
	}

	// Axes: leads on the left, revenue on the right, each with round ticks.
	leadStep := niceStep(ceilDiv(maxLeads, chartTicks))
	unitMinor := int64(1)
	for range money.Digits(ch.Currency) {
		unitMinor *= 10
	}
	revStep := niceStep(ceilDiv(maxRev, chartTicks*unitMinor)) * unitMinor
	leadTop, revTop := leadStep*chartTicks, revStep*chartTicks
	y := func(v, top int64) int { return chartTop + chartPlotH - int(v*chartPlotH/top) }
	for i := int64(0); i <= chartTicks; i++ {
		ch.LeadTicks = append(ch.LeadTicks, chartTick{Y: y(i*leadStep, leadTop), Label: formatCount(i * leadStep)})
		ch.RevenueTicks = append(ch.RevenueTicks, chartTick{Y: y(i*revStep, revTop), Label: shortMoney(i*revStep, ch.Currency)})
	}

	// Buckets: a bar and a line point per slot; labels on every k-th slot.
	shown := len(ch.Buckets)
	slot := float64(chartPlotW) / float64(shown)
	barW := max(slot*chartBarShareOfSlotPercent/100, 1)
	maxLabels := chartMaxLabels
	if unit == "month" && start.Year() != end.Year() {
		maxLabels = chartMaxLabelsLongLabel
	}
	every := (shown + maxLabels - 1) / maxLabels
	points := make([]string, 0, shown)
	for i := range ch.Buckets {
		b := &ch.Buckets[i]
		cx := float64(chartLeft) + slot*(float64(i)+0.5)
		b.CX = px(cx)
		b.X, b.BarW = px(cx-barW/2), px(barW)
		b.BarY = y(b.Leads, leadTop)
		b.BarH = chartTop + chartPlotH - b.BarY
		b.LineY = y(b.revenueBy[ch.Currency], revTop)
		points = append(points, b.CX+","+strconv.Itoa(b.LineY))
	}
	for i := range ch.Buckets {
		if i%every == 0 {
			ch.Buckets[i].Label = bucketShort(span.Dates[first+i], unit, start.Year() != end.Year())
		}
	}
	ch.Line = strings.Join(points, " ")
	ch.Markers = shown <= chartMaxBucketsForMarkers

	title := p.Label
	if !p.IsLifetime() && p.Key != "custom" {
		title += " (" + p.Span() + ")"
	}
	ch.Title = "Leads and revenue, " + title
	total := make([]string, 0, len(ch.Currencies))
	for _, cur := range ch.Currencies {
		total = append(total, money.Format(ch.Revenue[cur], cur))
	}
	if len(total) == 0 {
		total = []string{money.Format(0, ch.Currency)}
	}
	ch.Desc = fmt.Sprintf("Bars: leads created per %s. Line: revenue won per %s in %s. In total %s leads created, %s won, %s revenue.",
		unit, unit, ch.Currency, formatCount(ch.Leads), formatCount(ch.Won), strings.Join(total, " and "))
	if best := busiest(ch.Buckets); best != nil && best.Leads > 0 {
		ch.Desc += fmt.Sprintf(" Most leads: %s with %s.", best.Long, formatCount(best.Leads))
	}
	return ch
}

func busiest(bs []chartBucket) *chartBucket {
	var best *chartBucket
	for i := range bs {
		if best == nil || bs[i].Leads > best.Leads {
			best = &bs[i]
		}
	}
	return best
}

func px(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// niceStep is the smallest 1, 2 or 5 × 10ⁿ that is at least x (and at least 1).
func niceStep(x int64) int64 {
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= x {
				return m * p
			}
		}
	}
}

// shortMoney writes a tick value (a whole number of major units): "$12,000",
// "$1.5M", "12,000 CHF".
func shortMoney(minor int64, currency string) string {
	unit := int64(1)
	for range money.Digits(currency) {
		unit *= 10
	}
	major := minor / unit
	zero := money.Format(0, currency) // "$0.00", "0.00 CHF", "¥0"
	i := strings.IndexByte(zero, '0')
	prefix, rest := zero[:i], zero[i:]
	suffix := strings.TrimLeft(rest, "0.")
	var num string
	switch {
	case major >= 1_000_000 && major%100_000 == 0:
		num = strconv.FormatInt(major/1_000_000, 10)
		if t := major % 1_000_000 / 100_000; t != 0 {
			num += "." + strconv.FormatInt(t, 10)
		}
		num += "M"
	default:
		num = formatCount(major)
	}
	return prefix + num + suffix
}

func bucketLong(d time.Time, unit string) string {
	switch unit {
	case "week":
		return "Week of " + d.Format("Jan 2, 2006")
	case "month":
		return d.Format("January 2006")
	}
	return d.Format("Jan 2, 2006")
}

func bucketShort(d time.Time, unit string, manyYears bool) string {
	switch {
	case unit == "month" && manyYears:
		return d.Format("Jan 2006")
	case unit == "month":
		return d.Format("Jan")
	}
	return d.Format("Jan 2")
}

// sortedCurrencies orders currency codes: the organization's first, then
// alphabetical.
func sortedCurrencies(curs []string, first string) []string {
	out := make([]string, 0, len(curs))
	for _, c := range curs {
		if c == first {
			out = append(out, c)
		}
	}
	rest := []string{}
	for _, c := range curs {
		if c != first {
			rest = append(rest, c)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// The per-bucket parts of the SVG and of its table are written here rather
// than in views/dashboard/chart.html: html/template calls an escaper by
// reflection for every action, and with fifteen actions per bucket the chart
// was most of the Dashboard fragment's CPU time. Every text goes through
// html.EscapeString; the numbers are formatted here.

// BarsSVG is one bar per bucket, each with its tooltip.
func (c *chart) BarsSVG() template.HTML {
	var b strings.Builder
	for _, k := range c.Buckets {
		fmt.Fprintf(&b, `<rect x="%s" y="%d" width="%s" height="%d"><title>%s: %d leads</title></rect>`,
			k.X, k.BarY, k.BarW, k.BarH, html.EscapeString(k.Long), k.Leads)
	}
	return template.HTML(b.String())
}

// MarkersSVG is a dot on the revenue line per bucket.
func (c *chart) MarkersSVG() template.HTML {
	var b strings.Builder
	for _, k := range c.Buckets {
		fmt.Fprintf(&b, `<circle cx="%s" cy="%d" r="3"/>`, k.CX, k.LineY)
	}
	return template.HTML(b.String())
}

// BottomLabelsSVG is the labels under the buckets that have one.
func (c *chart) BottomLabelsSVG() template.HTML {
	var b strings.Builder
	for _, k := range c.Buckets {
		if k.Label != "" {
			fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, k.CX, c.BottomLabelY, html.EscapeString(k.Label))
		}
	}
	return template.HTML(b.String())
}

// TableRows is the body of the chart's table: a row per bucket.
func (c *chart) TableRows() template.HTML {
	var b strings.Builder
	for _, k := range c.Buckets {
		fmt.Fprintf(&b, `<tr><th scope="row">%s</th><td class="num">%d</td><td class="num">%d</td>`,
			html.EscapeString(k.Long), k.Leads, k.Won)
		for _, r := range k.Revenue {
			fmt.Fprintf(&b, `<td class="num">%s</td>`, html.EscapeString(r))
		}
		b.WriteString(`</tr>`)
	}
	return template.HTML(b.String())
}
