package spotlight

import (
	"sort"
	"strings"
)

// Country is one ISO 3166-1 entry.
type Country struct {
	Code string // alpha-2, upper case
	Name string
}

// Region is a named group of countries a partner may serve as a whole.
// Codes carry the "R-" prefix so they never collide with an alpha-2 code.
type Region struct {
	Code    string
	Name    string
	Members []string
}

var regionList = []Region{
	{"R-EU", "European Union", strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE")},
	{"R-EUROPE", "Europe", strings.Fields("AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS SE SI SK SM UA VA XK")},
	{"R-DACH", "DACH (Germany, Austria, Switzerland)", strings.Fields("DE AT CH")},
	{"R-NORDICS", "Nordics", strings.Fields("DK FI IS NO SE FO AX")},
	{"R-NA", "North America", strings.Fields("US CA MX")},
	{"R-LATAM", "Latin America", strings.Fields("AR BO BR CL CO CR CU DO EC SV GT HN MX NI PA PY PE PR UY VE")},
	{"R-APAC", "Asia-Pacific", strings.Fields("AU BD CN HK ID IN JP KH KR LA LK MM MN MY NP NZ PH PK SG TH TW VN")},
	{"R-MEA", "Middle East and Africa", strings.Fields("AE BH DZ EG IL IQ JO KE KW LB MA NG OM QA SA TN TR ZA")},
}

var (
	countryByCode = map[string]Country{}
	regionByCode  = map[string]Region{}
	regionsOf     = map[string][]string{} // country → regions containing it
)

func init() {
	for _, c := range countryList {
		countryByCode[c.Code] = c
	}
	for _, r := range regionList {
		regionByCode[r.Code] = r
		for _, m := range r.Members {
			regionsOf[m] = append(regionsOf[m], r.Code)
		}
	}
}

// Countries is the ISO 3166-1 list sorted by name.
func Countries() []Country {
	out := append([]Country(nil), countryList...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Regions is the list of regions.
func Regions() []Region { return regionList }

// AreaName names a country or region code ("" when unknown).
func AreaName(code string) string {
	if c, ok := countryByCode[code]; ok {
		return c.Name
	}
	if r, ok := regionByCode[code]; ok {
		return r.Name
	}
	return ""
}

// IsArea reports whether code is a known country or region.
func IsArea(code string) bool { return AreaName(code) != "" }

// GeoMatch expands the areas a partner serves into every code a visitor's
// filter may name and still find them: the chosen codes, the countries of the
// chosen regions, and the regions of the chosen countries (a partner serving
// Germany is found under Europe; one serving Europe under Germany).
func GeoMatch(areas []string) []string {
	set := map[string]bool{}
	for _, a := range areas {
		set[a] = true
		if r, ok := regionByCode[a]; ok {
			for _, m := range r.Members {
				set[m] = true
			}
		}
		for _, r := range regionsOf[a] {
			set[r] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Language is one ISO 639-1 language a partner may work in.
type Language struct{ Code, Name string }

var languageList = []Language{
	{"ar", "Arabic"}, {"zh", "Chinese"}, {"cs", "Czech"}, {"da", "Danish"}, {"nl", "Dutch"}, {"en", "English"},
	{"fi", "Finnish"}, {"fr", "French"}, {"de", "German"}, {"el", "Greek"}, {"he", "Hebrew"}, {"hi", "Hindi"},
	{"hu", "Hungarian"}, {"id", "Indonesian"}, {"it", "Italian"}, {"ja", "Japanese"}, {"ko", "Korean"},
	{"no", "Norwegian"}, {"pl", "Polish"}, {"pt", "Portuguese"}, {"ro", "Romanian"}, {"ru", "Russian"},
	{"es", "Spanish"}, {"sv", "Swedish"}, {"th", "Thai"}, {"tr", "Turkish"}, {"uk", "Ukrainian"}, {"vi", "Vietnamese"},
}

var languageByCode = map[string]string{}

func init() {
	for _, l := range languageList {
		languageByCode[l.Code] = l.Name
	}
}

// Languages lists the languages by name.
func Languages() []Language { return languageList }

// LanguageName names a language code ("" when unknown).
func LanguageName(code string) string { return languageByCode[code] }
