package seed

// The shape of the Scale Corp data set: names, distributions and the per-lead
// record the COPY sources turn into rows. Everything comes from one seeded
// RNG, so the same N gives the same data (relative to the hour it ran).

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"partnerportal/app/money"
)

const (
	scalePartnerCount = 1000
	// scaleBigShare is the share of all leads held by Hundredk Partners (1/10).
	scaleBigShare = 10
	// scaleDupPerMille of the leads are flagged as duplicates of a recent lead.
	scaleDupPerMille    = 30
	scaleProtectionDays = 90
)

type scaleTier struct {
	name     string
	bps      int32
	benefits string
}

var scaleTiers = []scaleTier{
	{"Registered", 500, "Partner badge"},
	{"Silver", 1000, "Partner badge, quarterly newsletter"},
	{"Gold", 1500, "Co-marketing budget, priority lead review"},
	{"Platinum", 2000, "Named partner manager, joint business plan"},
}

// Lead states as small integers in the compact record.
const (
	stInReview uint8 = iota
	stApproved
	stRejected
)

const (
	sgNew uint8 = iota
	sgQualified
	sgProposal
	sgWon
	sgLost
)

const (
	srcPartner uint8 = iota
	srcReferral
	srcLink
)

var (
	statusNames = [...]string{"in_review", "approved", "rejected"}
	stageNames  = [...]string{"new", "qualified", "proposal", "won", "lost"}
	sourceNames = [...]string{"partner", "referral", "referral_link"}
)

// Company universe: prefix+root, industry, legal form. 48×48×40×5 = 460,800
// distinct companies, each with its own domain.
var (
	coPrefixes = []string{"Blue", "Red", "Green", "Silver", "Golden", "Iron", "Copper", "North", "South", "East", "West",
		"Bright", "Clear", "Deep", "High", "Swift", "True", "Prime", "Bold", "Quiet", "Rapid", "Summit", "Harbor", "River",
		"Stone", "Cedar", "Maple", "Oak", "Pine", "Willow", "Aspen", "Birch", "Falcon", "Eagle", "Hawk", "Fox", "Wolf", "Bear",
		"Lion", "Tiger", "Orion", "Nova", "Astra", "Luna", "Sol", "Terra", "Aqua", "Vertex"}
	coRoots = []string{"field", "stone", "line", "wave", "point", "bridge", "gate", "path", "ridge", "crest", "brook", "wood",
		"light", "works", "forge", "leaf", "spark", "peak", "vale", "port", "mark", "shore", "bay", "hill", "view", "star",
		"cloud", "wind", "rock", "glen", "ford", "haven", "moor", "well", "wick", "ton", "by", "dale", "more", "land", "side",
		"water", "rise", "spring", "fall", "grove", "mont", "craft"}
	coIndustries = []string{"Logistics", "Health", "Foods", "Analytics", "Energy", "Media", "Retail", "Travel", "Marine",
		"Clinics", "Schools", "Studio", "Labs", "Systems", "Software", "Robotics", "Capital", "Insurance", "Realty",
		"Construction", "Manufacturing", "Pharma", "Biotech", "Security", "Networks", "Telecom", "Consulting", "Legal",
		"Apparel", "Outdoor", "Motors", "Aviation", "Farms", "Brewing", "Hotels", "Fitness", "Dental", "Design", "Printing",
		"Textiles"}
	coForms = []struct{ suffix, tld string }{{"", ".com"}, {" Inc", ".io"}, {" LLC", ".co"}, {" Group", ".net"}, {" Co", ".biz"}}

	scaleFirst = []string{"Aaron", "Abigail", "Adrian", "Aisha", "Alex", "Amara", "Andre", "Anna", "Ben", "Bianca", "Carlos",
		"Chloe", "Daniel", "Diana", "Elena", "Emil", "Fatima", "Felix", "Grace", "Hannah", "Hugo", "Ines", "Isaac", "Jade",
		"James", "Julia", "Kenji", "Laura", "Leo", "Lina", "Lucas", "Maya", "Mateo", "Mia", "Nadia", "Noah", "Olivia", "Omar",
		"Paula", "Pedro", "Priya", "Rafael", "Rosa", "Ryan", "Sara", "Sofia", "Tariq", "Tess", "Theo", "Uma", "Victor",
		"Vera", "Wei", "Yara", "Yusuf", "Zoe", "Marco", "Lena", "Ivan", "Nina", "Owen", "Ruth", "Sam", "Tom"}
	scaleLast = []string{"Adams", "Ahmed", "Alvarez", "Baker", "Becker", "Brown", "Chen", "Clark", "Costa", "Davis", "Dubois",
		"Evans", "Fischer", "Garcia", "Gomez", "Green", "Hall", "Hansen", "Hill", "Ito", "Jansen", "Jones", "Khan", "Kim",
		"Kowalski", "Lee", "Lopez", "Martin", "Meyer", "Miller", "Moore", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor",
		"Olsen", "Patel", "Perez", "Petrov", "Quinn", "Reyes", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith",
		"Suzuki", "Taylor", "Thomas", "Torres", "Usman", "Varga", "Walker", "Wang", "Weber", "White", "Wilson", "Wong",
		"Young", "Zhang", "Ortiz", "Berg"}

	partnerA = []string{"Apex", "Summit", "Keystone", "Pinnacle", "Vanguard", "Bluepeak", "Northstar", "Crescent", "Meridian",
		"Horizon", "Catalyst", "Elevate", "Fusion", "Ignite", "Momentum", "Nexus", "Quantum", "Radiant", "Sterling", "Trident",
		"Unity", "Vector", "Zenith", "Cobalt", "Evergreen", "Ironclad", "Lighthouse", "Redwood", "Silverline", "Brightpath"}
	partnerB = []string{"Cloud", "Data", "Digital", "Growth", "Revenue", "Channel", "Tech", "Sales", "Market", "Software",
		"IT", "Commerce", "Security", "Analytics", "Web", "Mobile", "Retail", "Finance", "Health", "Media"}
	partnerC = []string{"Partners", "Consulting", "Solutions", "Group", "Agency", "Advisors", "Collective", "Labs",
		"Integrators", "Resellers"}

	scaleNotes = []string{"Met at the regional trade show.", "Evaluating three vendors, decision this quarter.",
		"Budget approved for next fiscal year.", "Champion is the head of operations.", "Wants a pilot with two teams first.",
		"Current contract with a competitor ends in six months.", "Asked for a security review pack."}
	scaleRejections = []string{"Existing customer.", "Outside our territory.", "Not a fit for the program.",
		"Insufficient information about the opportunity."}
)

const scaleDupRejection = "Duplicate of an existing registration."

// scaleCompanyCount is the size of the company universe for n leads: enough
// that most companies appear once or twice, while popular ones are registered
// by many partners (the lead picks are skewed).
func scaleCompanyCount(n int) int {
	total := len(coPrefixes) * len(coRoots) * len(coIndustries) * len(coForms)
	return min(max(n/5, 2000), total)
}

type company struct{ name, domain string }

// companyAt decodes company number k of the universe (a fixed permutation, so
// the popular low numbers are spread over all names).
func companyAt(k int) company {
	total := len(coPrefixes) * len(coRoots) * len(coIndustries) * len(coForms)
	x := (k*7919 + 12345) % total // 7919 is prime and does not divide 460,800
	f := coForms[x%len(coForms)]
	x /= len(coForms)
	ind := coIndustries[x%len(coIndustries)]
	x /= len(coIndustries)
	root := coRoots[x%len(coRoots)]
	x /= len(coRoots)
	pre := coPrefixes[x]
	base := pre + root
	return company{
		name:   base + " " + ind + f.suffix,
		domain: strings.ToLower(base) + "-" + strings.ToLower(ind) + f.tld,
	}
}

type scalePartner struct {
	id, linkID int64
	name, slug string
	tier       int // index into scaleTiers
	users      []scaleUser
	created    time.Time
}

type scaleUser struct {
	id                int64
	email, name, role string
}

// scalePartners builds the 1,000 partner companies; number 0 is Hundredk.
func scalePartners(rng *rand.Rand, now time.Time) []scalePartner {
	out := make([]scalePartner, 0, scalePartnerCount)
	seen := map[string]bool{}
	combos := len(partnerA) * len(partnerB) * len(partnerC)
	for i := 0; len(out) < scalePartnerCount; i++ {
		p := scalePartner{created: now.Add(-time.Duration(400+rng.IntN(400)) * 24 * time.Hour)}
		if i == 0 {
			p.name, p.slug, p.tier = "Hundredk Partners", "hundredk", len(scaleTiers)-1
			p.users = []scaleUser{{email: "admin@hundredk.test", name: "Hana Admin", role: "partner_admin"},
				{email: "sales@hundredk.test", name: "Sid Sales", role: "partner_user"},
				{email: "ops@hundredk.test", name: "Olga Ops", role: "partner_user"}}
		} else {
			x := (i*37 + 5) % combos
			a, b, c := partnerA[x%len(partnerA)], partnerB[x/len(partnerA)%len(partnerB)], partnerC[x/len(partnerA)/len(partnerB)]
			p.name = a + " " + b + " " + c
			p.slug = strings.ToLower(a + b + c)
			if seen[p.slug] {
				continue
			}
			// Most partners sit in the lower tiers.
			switch r := rng.IntN(100); {
			case r < 40:
				p.tier = 0
			case r < 75:
				p.tier = 1
			case r < 93:
				p.tier = 2
			default:
				p.tier = 3
			}
			users := 1 + weighted(rng, 50, 30, 20)
			for u := range users {
				first, last := scaleFirst[rng.IntN(len(scaleFirst))], scaleLast[rng.IntN(len(scaleLast))]
				role := "partner_user"
				if u == 0 || rng.IntN(5) == 0 {
					role = "partner_admin"
				}
				p.users = append(p.users, scaleUser{
					email: fmt.Sprintf("%s.%s%d@%s.test", strings.ToLower(first), strings.ToLower(last), u+1, p.slug),
					name:  first + " " + last, role: role})
			}
		}
		seen[p.slug] = true
		out = append(out, p)
	}
	return out
}

// weighted returns i with probability w[i]/sum(w).
func weighted(rng *rand.Rand, w ...int) int {
	sum := 0
	for _, x := range w {
		sum += x
	}
	r := rng.IntN(sum)
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// leadCounts splits n leads over the partners: a tenth to Hundredk (index 0),
// the rest Zipf-like (rank^-0.7) over the others in a shuffled order, so a
// few partners are busy, and a quarter of them are dormant (1/50 of their
// share): the long tail registers a handful of leads a year.
func leadCounts(rng *rand.Rand, n, partners int) []int {
	counts := make([]int, partners)
	counts[0] = n / scaleBigShare
	rest := n - counts[0]
	w := make([]float64, partners-1)
	var sum float64
	for i := range w {
		w[i] = math.Pow(float64(i+1), -0.7)
		if rng.IntN(4) == 0 {
			w[i] /= 50
		}
		sum += w[i]
	}
	rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
	given := 0
	for i := range w {
		c := int(float64(rest) * w[i] / sum)
		counts[i+1] = c
		given += c
	}
	for i := 0; given < rest; i = (i + 1) % len(w) {
		counts[i+1]++
		given++
	}
	return counts
}

// scaleLead is the compact record of one generated lead; the COPY sources
// expand it into leads, lead_events and commissions rows.
type scaleLead struct {
	id, dupOf       int64
	dupIdx          int32 // index of the lead dupOf names
	creator         int64 // 0: none (a sign-up through a tracking link)
	created         int64 // unix microseconds
	decided, closed int64 // approval/rejection, won/lost; 0 when not applicable
	value, revenue  int64
	partner         int32
	company         int32
	email           string
	first, last     uint8
	status, stage   uint8
	source          uint8
	note, reject    int8 // index+1 into scaleNotes / scaleRejections; 0 none, -1 duplicate
	phone           bool
	sameEmail       bool
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// genLeads generates n leads in created_at order (ids ascending with time,
// like a real table), more of them recent than a year ago.
func genLeads(rng *rand.Rand, now time.Time, ids []int64, partners []scalePartner, counts []int, staffID int64) []scaleLead {
	n := len(ids)
	year := float64(365 * 24 * time.Hour / time.Microsecond)
	start := micros(now) - int64(year)
	ts := make([]int64, n)
	for i := range ts {
		t := rng.Float64()
		if rng.IntN(2) == 0 {
			t = math.Sqrt(t) // density rising towards now
		}
		ts[i] = start + int64(t*year)
	}
	slices.Sort(ts)
	owner := make([]int32, 0, n)
	for p, c := range counts {
		for range c {
			owner = append(owner, int32(p))
		}
	}
	rng.Shuffle(n, func(i, j int) { owner[i], owner[j] = owner[j], owner[i] })

	universe := scaleCompanyCount(n)
	const ring = 4096
	recent := make([]int, 0, ring) // indexes of recent leads, as duplicate targets
	nowUs := micros(now)
	hour := int64(time.Hour / time.Microsecond)
	day := 24 * hour
	leads := make([]scaleLead, n)
	signups := map[string]bool{}
	for i := range leads {
		l := &leads[i]
		l.id, l.created, l.partner = ids[i], ts[i], owner[i]
		p := &partners[l.partner]
		u := rng.Float64()
		l.company = int32(float64(universe) * u * u) // popular companies appear often
		l.first, l.last = uint8(rng.IntN(len(scaleFirst))), uint8(rng.IntN(len(scaleLast)))
		l.email = contactEmail(rng, scaleFirst[l.first], scaleLast[l.last], companyAt(int(l.company)).domain)
		switch weighted(rng, 85, 10, 5) {
		case 0:
			l.source = srcPartner
			l.creator = p.users[rng.IntN(len(p.users))].id
		case 1:
			l.source, l.creator = srcReferral, staffID
		default:
			l.source = srcLink
		}
		l.phone = rng.IntN(10) < 6
		if rng.IntN(5) == 0 {
			l.note = int8(1 + rng.IntN(len(scaleNotes)))
		}
		// Log-normal deal values: median ≈ $12,000, from $500 to $2M, in $50 steps.
		dollars := math.Exp(9.4 + rng.NormFloat64())
		dollars = min(max(dollars, 500), 2_000_000)
		l.value = int64(dollars/50) * 50 * 100

		dup := -1
		if len(recent) > 0 && rng.IntN(1000) < scaleDupPerMille {
			j := recent[rng.IntN(len(recent))]
			if t := &leads[j]; t.status != stRejected && l.created-t.created <= scaleProtectionDays*day {
				dup = j
			}
		}
		if dup >= 0 {
			t := &leads[dup]
			l.dupOf, l.dupIdx, l.company = t.id, int32(dup), t.company
			if rng.IntN(2) == 0 {
				l.email, l.sameEmail = t.email, true
			} else {
				l.email = contactEmail(rng, scaleFirst[l.first], scaleLast[l.last], companyAt(int(l.company)).domain)
			}
			switch weighted(rng, 35, 45, 20) {
			case 0:
				l.status = stInReview
			case 1:
				l.status, l.reject = stRejected, -1
			default:
				l.status = stApproved
			}
		} else {
			switch weighted(rng, 20, 10, 70) {
			case 0:
				l.status = stInReview
			case 1:
				l.status, l.reject = stRejected, int8(1+rng.IntN(len(scaleRejections)))
			default:
				l.status = stApproved
			}
		}
		// One sign-up lead per email (leads_one_signup_per_email): a second
		// sign-up with a known email becomes a partner registration.
		if l.source == srcLink {
			if signups[l.email] {
				l.source, l.creator = srcPartner, p.users[rng.IntN(len(p.users))].id
			} else {
				signups[l.email] = true
			}
		}
		if l.status != stInReview {
			l.decided = min(l.created+hour+rng.Int64N(5*day), nowUs)
			if l.decided <= l.created {
				l.decided = l.created + (nowUs-l.created)/2
			}
		}
		if l.status == stApproved {
			// 34 % of the approved leads are won: ≈ 23 % of all leads, as
			// issue 8 sizes the commissions (≈ 230k won at 1M leads).
			l.stage = []uint8{sgQualified, sgProposal, sgWon, sgLost}[weighted(rng, 28, 18, 34, 20)]
			if l.stage == sgWon || l.stage == sgLost {
				l.closed = l.decided + day + rng.Int64N(150*day)
				if l.closed > nowUs {
					l.closed = l.decided + rng.Int64N(nowUs-l.decided+1)
				}
			}
			if l.stage == sgWon {
				l.revenue = l.value / 100 * int64(80+rng.IntN(41)) // 80–120 % of the deal, whole units
			}
		}
		if len(recent) < ring {
			recent = append(recent, i)
		} else {
			recent[i%ring] = i
		}
	}
	return leads
}

func contactEmail(rng *rand.Rand, first, last, domain string) string {
	first, last = strings.ToLower(first), strings.ToLower(last)
	switch weighted(rng, 60, 25, 15) {
	case 0:
		return first + "." + last + "@" + domain
	case 1:
		return first[:1] + last + "@" + domain
	}
	return first + "@" + domain
}

func (l *scaleLead) phoneNumber() string {
	x := uint64(l.id) * 0x9E3779B97F4A7C15
	return fmt.Sprintf("+1 (%03d) %03d-%04d", 200+x%800, (x>>10)%1000, (x>>20)%10000)
}

func (l *scaleLead) updated() int64 {
	return max(l.created, l.decided, l.closed)
}

func usTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// createdChanges is the history entry of a new lead in the shape
// app.recordLeadEvent writes: {"Label": {"old": "", "new": value}}, keys sorted.
// Every generated value is printable ASCII without escapes beyond \" and \\,
// for which Go's quoting and JSON's agree.
func (l *scaleLead) createdChanges(buf []byte, co company) []byte {
	type kv struct{ k, v string }
	fields := []kv{{"Company", co.name}, {"Contact", scaleFirst[l.first] + " " + scaleLast[l.last]}, {"Currency", "USD"},
		{"Deal value", money.Format(l.value, "USD")}, {"Email", l.email}}
	if l.phone {
		fields = append(fields, kv{"Phone", l.phoneNumber()})
	}
	fields = append(fields, kv{"Website", co.domain})
	if l.note > 0 {
		fields = append(fields, kv{"Notes", scaleNotes[l.note-1]})
	}
	slices.SortFunc(fields, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	buf = append(buf[:0], '{')
	for i, f := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendQuote(buf, f.k)
		buf = append(buf, `:{"old":"","new":`...)
		buf = strconv.AppendQuote(buf, f.v)
		buf = append(buf, '}')
	}
	return append(buf, '}')
}

// scaleTimeZone is Scale Corp's time zone; dates in texts are written in it.
const scaleTimeZone = "America/Chicago"

var scaleZone = func() *time.Location {
	loc, err := time.LoadLocation(scaleTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}()

// duplicateReason mirrors app.duplicateReason for the generated match (the
// date in the organization's time zone).
func (l *scaleLead) duplicateReason(target *scaleLead) string {
	who := "another partner"
	if target.partner == l.partner {
		who = "your company"
	}
	what := "the same company domain (" + companyAt(int(target.company)).domain + ")"
	if l.sameEmail {
		what = "the same contact email (" + target.email + ")"
	}
	return fmt.Sprintf("Possible duplicate: %s registered a lead with %s on %s, within the %d-day protection window.",
		who, what, usTime(target.created).In(scaleZone).Format("Jan 2, 2006"), scaleProtectionDays)
}
