package app

import (
	"encoding/hex"
	"html/template"
	"strconv"
	"sync"
	"time"

	"partnerportal/app/money"
	"partnerportal/app/resource"
)

// fieldRef feeds partials/field_error: the page's errors and one field name.
type fieldRef struct {
	Errors map[string]string
	Name   string
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset":      func(name string) (string, error) { return staticAssets().URL(name) },
		"fieldErr":   func(p *Page, name string) fieldRef { return fieldRef{Errors: p.Errors, Name: name} },
		"roleLabel":  RoleLabel,
		"money":      money.Format,
		"moneyInput": money.Input,
		"bps":        func(b int32) string { return money.FormatBps(int64(b)) },
		"maskEmail":  MaskEmail,
		"date":       dateIn,
		"datetime": func(t time.Time, zone string) string {
			return inZone(t, zone).Format("Jan 2, 2006 15:04 MST")
		},
		"iso":            isoTime,
		"add":            func(a, b int) int { return a + b },
		"itoa":           strconv.Itoa,
		"label":          statusLabel,
		"referralSource": isReferralSource,
		"list":           func(s ...string) []string { return s },
		"size":           resource.Size,
		"hexShort": func(b []byte) string {
			if len(b) > 8 {
				b = b[:8]
			}
			return hex.EncodeToString(b) + "…"
		},
		// previewPage hands a page's preview to room/preview, which renders
		// on its own as the polling fragment too.
		"previewPage": func(p *Page, pv *previewView) *Page { cp := *p; cp.Data = pv; return &cp },
		"tierFields": func(p *Page, t any, edited any) tierFieldsData {
			pt, _ := t.(programTier)
			var tp *programTier
			if _, ok := t.(programTier); ok {
				tp = &pt
			}
			e, _ := edited.(bool)
			if s, ok := edited.(string); ok && s != "" {
				e = true
			}
			if m, ok := edited.(map[string]string); ok && len(m) > 0 {
				e = true
			}
			return tierFields(p, tp, e)
		},
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		"deref64": func(i *int64) int64 {
			if i == nil {
				return 0
			}
			return *i
		},
		"derefT": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"derefI": func(i *int32) int32 {
			if i == nil {
				return 0
			}
			return *i
		},
	}
}

// dateIn shows a time as a date in the viewer's zone.
func dateIn(t time.Time, zone string) string { return inZone(t, zone).Format("Jan 2, 2006") }

// isoTime is a time as <time datetime> wants it.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func inZone(t time.Time, zone string) time.Time {
	if loc, err := loadZone(zone); err == nil && zone != "" {
		return t.In(loc)
	}
	return t.UTC()
}

// zones caches loaded time zones: time.LoadLocation reads and parses the
// zone file on every call (a date column of 25 rows read it 25 times per
// request, a quarter of the lead list's CPU time at 1M leads).
var zones sync.Map // name → *time.Location

// loadZone is time.LoadLocation, once per name.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

var statusLabels = map[string]string{
	"in_review": "In Review", "approved": "Approved", "rejected": "Rejected",
	"new": "New", "qualified": "Qualified", "proposal": "Proposal", "won": "Won", "lost": "Lost",
	"partner": "Partner", "referral": "Referral", "referral_link": "Referral link", "directory": "Directory",
	"bank_transfer": "Bank transfer", "paypal": "PayPal",
	"pending": "Pending", "paid": "Paid", "void": "Void",
}

// statusLabel turns stored enum values into the words users read.
func statusLabel(s string) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return s
}
