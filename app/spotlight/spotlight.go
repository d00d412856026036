// Package spotlight holds the rules of partner profiles and the public
// partner directory (issue 13): what a valid profile is, the filter facets a
// profile is found under, the vendor's directory settings, and the signed
// timestamp the contact form's spam check uses. Handlers in app/ read the
// request, call these, and store the result through sqlc.
package spotlight

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// States of a profile.
const (
	Draft     = "draft"
	Pending   = "pending"
	Published = "published"
	Declined  = "declined"
)

// Settings are the parts of the vendor's directory settings a profile is
// checked against.
type Settings struct {
	Specialties, Platforms, BudgetBands []string
}

// Profile is a validated profile form.
type Profile struct {
	CompanyName, Website, Tagline, Description, FreeSpecialty string
	Specialties, Areas, Platforms, Languages                  []string
	BudgetBand, ContactEmail                                  string
}

// Limits of the profile's text fields.
const (
	MaxName        = 200
	MaxTagline     = 160
	MaxDescription = 5000
	MaxFree        = 40
)

// ParseProfile checks a submitted profile. form returns one value, list all
// values of a field. It returns the profile and a message per bad field.
func ParseProfile(form func(string) string, list func(string) []string, s Settings) (Profile, map[string]string) {
	p := Profile{
		CompanyName:   strings.TrimSpace(form("company_name")),
		Website:       strings.TrimSpace(form("website")),
		Tagline:       strings.TrimSpace(form("tagline")),
		Description:   strings.TrimSpace(strings.ReplaceAll(form("description"), "\r\n", "\n")),
		FreeSpecialty: strings.TrimSpace(form("free_specialty")),
		BudgetBand:    strings.TrimSpace(form("budget_band")),
		ContactEmail:  strings.ToLower(strings.TrimSpace(form("contact_email"))),
	}
	errs := map[string]string{}
	if n := utf8.RuneCountInString(p.CompanyName); n < 1 || n > MaxName {
		errs["company_name"] = "Enter your company's name (up to 200 characters)."
	}
	if msg := CheckWebsite(p.Website); msg != "" {
		errs["website"] = msg
	}
	if utf8.RuneCountInString(p.Tagline) > MaxTagline {
		errs["tagline"] = "Keep the tagline to 160 characters."
	}
	if utf8.RuneCountInString(p.Description) > MaxDescription {
		errs["description"] = "Keep the description under 5,000 characters."
	}
	if utf8.RuneCountInString(p.FreeSpecialty) > MaxFree || strings.ContainsAny(p.FreeSpecialty, "\n\t") {
		errs["free_specialty"] = "Keep your own specialty to one line of 40 characters."
	}
	var bad bool
	p.Specialties, bad = pick(list("specialties"), func(v string) bool { return slices.Contains(s.Specialties, v) })
	if bad {
		errs["specialties"] = "Choose specialties from the list."
	}
	p.Platforms, bad = pick(list("platforms"), func(v string) bool { return slices.Contains(s.Platforms, v) })
	if bad {
		errs["platforms"] = "Choose platforms from the list."
	}
	p.Areas, bad = pick(list("areas"), IsArea)
	if bad {
		errs["areas"] = "Choose countries and regions from the list."
	} else if len(p.Areas) > 60 {
		errs["areas"] = "Choose at most 60 countries and regions (a region counts once)."
	}
	p.Languages, bad = pick(list("languages"), func(v string) bool { return LanguageName(v) != "" })
	if bad {
		errs["languages"] = "Choose languages from the list."
	}
	if p.BudgetBand != "" && !slices.Contains(s.BudgetBands, p.BudgetBand) {
		errs["budget_band"] = "Choose a budget range from the list."
	}
	if p.ContactEmail != "" {
		if a, err := mail.ParseAddress(p.ContactEmail); err != nil || a.Address != p.ContactEmail || len(p.ContactEmail) > 254 {
			errs["contact_email"] = "Enter an email address like sales@example.com."
		}
	}
	return p, errs
}

// pick keeps the distinct values that pass ok, in order; bad reports a value
// that did not.
func pick(vals []string, ok func(string) bool) (out []string, bad bool) {
	out = []string{}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if !ok(v) {
			bad = true
			continue
		}
		out = append(out, v)
	}
	return out, bad
}

// CheckWebsite accepts an empty value or an absolute http(s) URL with a host.
func CheckWebsite(raw string) string {
	if raw == "" {
		return ""
	}
	const msg = "Enter a full web address starting with https:// (or leave it empty)."
	if len(raw) > 500 || strings.ContainsAny(raw, " \t\r\n") {
		return msg
	}
	w, err := url.Parse(raw)
	if err != nil || (w.Scheme != "http" && w.Scheme != "https") || w.Hostname() == "" || w.User != nil {
		return msg
	}
	return ""
}

// Facets are the keys a profile is found under by the directory's filters,
// one text[] column with a GIN index: "s:" specialty, "p:" platform, "g:"
// country or region (expanded, see GeoMatch), "b:" budget band, "l:" language.
func (p Profile) Facets() []string {
	out := []string{}
	for _, v := range p.Specialties {
		out = append(out, "s:"+v)
	}
	for _, v := range p.Platforms {
		out = append(out, "p:"+v)
	}
	for _, v := range GeoMatch(p.Areas) {
		out = append(out, "g:"+v)
	}
	if p.BudgetBand != "" {
		out = append(out, "b:"+p.BudgetBand)
	}
	for _, v := range p.Languages {
		out = append(out, "l:"+v)
	}
	return out
}

// Filter is what a directory visitor asked for.
type Filter struct {
	Specialty, Area, Platform, Budget, Language, Q, Sort string
}

// Facets are the keys a profile must all have to match.
func (f Filter) Facets() []string {
	out := []string{}
	add := func(prefix, v string) {
		if v != "" {
			out = append(out, prefix+v)
		}
	}
	add("s:", f.Specialty)
	add("p:", f.Platform)
	add("g:", f.Area)
	add("b:", f.Budget)
	add("l:", f.Language)
	return out
}

// Sorts of the directory.
var Sorts = []struct{ Value, Label string }{{"featured", "Featured first"}, {"name", "Name (A–Z)"}, {"newest", "Newest"}}

// CleanFilter keeps only values the directory knows (an unknown one is
// dropped, never an error: filters are links people share).
func CleanFilter(get func(string) string, s Settings) Filter {
	f := Filter{}
	if v := get("specialty"); slices.Contains(s.Specialties, v) {
		f.Specialty = v
	}
	if v := get("platform"); slices.Contains(s.Platforms, v) {
		f.Platform = v
	}
	if v := get("budget"); slices.Contains(s.BudgetBands, v) {
		f.Budget = v
	}
	if v := get("area"); IsArea(v) {
		f.Area = v
	}
	if v := get("language"); LanguageName(v) != "" {
		f.Language = v
	}
	q := strings.TrimSpace(get("q"))
	if utf8.ValidString(q) && !strings.ContainsRune(q, 0) && utf8.RuneCountInString(q) <= 100 {
		f.Q = q
	}
	f.Sort = "featured"
	for _, s := range Sorts {
		if get("sort") == s.Value {
			f.Sort = s.Value
		}
	}
	return f
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s may name a directory or profile in a URL.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Slugify makes a URL name from a company name ("Northwind Agency" →
// "northwind-agency").
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 60 {
		s = strings.Trim(s[:60], "-")
	}
	if s == "" {
		s = "partner"
	}
	return s
}

// ParseList reads a vendor list (one entry a line): trimmed, distinct, at
// most max entries of at most 60 characters.
func ParseList(raw string, max int) ([]string, string) {
	out := []string{}
	for _, line := range strings.Split(raw, "\n") {
		v := strings.TrimSpace(line)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if utf8.RuneCountInString(v) > 60 {
			return nil, "Keep each entry to 60 characters: “" + v[:min(len(v), 20)] + "…”."
		}
		out = append(out, v)
	}
	if len(out) > max {
		return nil, "Keep the list to " + strconv.Itoa(max) + " entries."
	}
	return out, ""
}

// ParseOrigins reads the origins allowed to frame the directory, one a line:
// scheme, host and optional port only (https, or http for localhost).
func ParseOrigins(raw string) ([]string, string) {
	out := []string{}
	for _, line := range strings.Split(raw, "\n") {
		v := strings.TrimSpace(line)
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		ok := err == nil && u.Host != "" && u.User == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" &&
			(u.Scheme == "https" || (u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"))) &&
			!strings.ContainsAny(u.Host, "*; '\"")
		if !ok {
			return nil, "Enter origins like https://www.example.com, one a line: https (http only for localhost), no path, no wildcard."
		}
		o := strings.ToLower(u.Scheme + "://" + u.Host)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) > 20 {
		return nil, "Keep the list to 20 origins."
	}
	return out, ""
}

// FrameAncestors is the CSP directive for a directory page.
func FrameAncestors(origins []string) string {
	if len(origins) == 0 {
		return "frame-ancestors 'none'"
	}
	return "frame-ancestors 'self' " + strings.Join(origins, " ")
}

// Spam check timing: a person needs at least MinFillTime to fill the
// contact form, and a form older than MaxFormAge is refused as stale.
const (
	MinFillTime = 3 * time.Second
	MaxFormAge  = 24 * time.Hour
)

// Errors of CheckStamp.
var (
	ErrStampBad   = errors.New("spotlight: form stamp missing or forged")
	ErrStampFast  = errors.New("spotlight: form sent too fast")
	ErrStampStale = errors.New("spotlight: form too old")
)

// Stamp signs the time a contact form was shown, for one partner, with the
// organization's form key: base64(unix seconds | HMAC-SHA256).
func Stamp(key []byte, partnerID int64, at time.Time) string {
	b := make([]byte, 8, 8+32)
	binary.BigEndian.PutUint64(b, uint64(at.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, mac(key, partnerID, b)...))
}

func mac(key []byte, partnerID int64, ts []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("spotlight-contact:" + strconv.FormatInt(partnerID, 10) + ":"))
	m.Write(ts)
	return m.Sum(nil)
}

// CheckStamp verifies a stamp and the time between showing and sending.
func CheckStamp(key []byte, partnerID int64, stamp string, now time.Time) error {
	raw, err := base64.RawURLEncoding.DecodeString(stamp)
	if err != nil || len(raw) != 8+32 || len(key) == 0 {
		return ErrStampBad
	}
	if !hmac.Equal(raw[8:], mac(key, partnerID, raw[:8])) {
		return ErrStampBad
	}
	at := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	switch {
	case now.Sub(at) < MinFillTime:
		return ErrStampFast
	case now.Sub(at) > MaxFormAge:
		return ErrStampStale
	}
	return nil
}
