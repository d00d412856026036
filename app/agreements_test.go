package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/seed"
)

const testUA = "AgreementTest/1.0 (+portal tests)"

// tinyPNG is a valid PNG data URL of a small drawing.
func tinyPNG(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.NRGBA{0x1a, 0x1a, 0x2e, 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// signForm opens the signing page and returns the hidden fields it carries.
func signForm(t *testing.T, c *apptest.Client) (url.Values, *apptest.Response) {
	t.Helper()
	r := c.Get("/agreements/sign")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /agreements/sign: %d (Location %q)", r.StatusCode, r.Header.Get("Location"))
	}
	form := url.Values{}
	for _, name := range []string{"version_id", "sha256", "done"} {
		v, ok := r.Doc.Find(`#sign-form input[name="` + name + `"]`).Attr("value")
		if !ok {
			t.Fatalf("signing form has no %s field", name)
		}
		form.Set(name, v)
	}
	return form, r
}

// signTyped signs the next pending agreement with a typed name.
func signTyped(t *testing.T, c *apptest.Client, name string) *apptest.Response {
	t.Helper()
	form, _ := signForm(t, c)
	form.Set("signer_name", name)
	form.Set("consent", "yes")
	form.Set("kind", "typed")
	r := c.Post("/agreements/sign", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing: status %d\n%s", r.StatusCode, r.Doc.Find("main").Text())
	}
	return r
}

func signatureCount(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM agreement_signatures").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// acmeAgreementID is the id of the demo agreement.
func acmeAgreementID(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var id int64
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT a.id FROM agreements a JOIN organizations o ON o.id = a.organization_id
		WHERE o.slug = 'acme' AND a.title = 'Partner Program Agreement'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// publishNewText has staff save a draft with body and publish it.
func publishNewText(t *testing.T, staff *apptest.Client, agreementID int64, title, body string) {
	t.Helper()
	path := fmt.Sprintf("/console/agreements/%d", agreementID)
	if r := staff.Post(path, url.Values{"title": {title}, "body": {body}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save draft: %d\n%s", r.StatusCode, r.Doc.Find("main").Text())
	}
	if r := staff.Post(path+"/publish", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", r.StatusCode, r.Doc.Find("main").Text())
	}
}

func TestAgreementGateAndSigningPage(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("user@northwind.test")

	for _, p := range []string{"/dashboard", "/leads", "/account/agreements/1"} {
		r := c.Get(p)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/agreements/sign" {
			t.Fatalf("%s before signing: %d → %q", p, r.StatusCode, r.Header.Get("Location"))
		}
	}
	r := c.Do(http.MethodGet, "/dashboard", nil, map[string]string{"HX-Request": "true"})
	if got := r.Header.Get("HX-Redirect"); got != "/agreements/sign" {
		t.Fatalf("htmx request before signing: status %d, HX-Redirect %q", r.StatusCode, got)
	}

	form, page := signForm(t, c)
	if got := strings.TrimSpace(page.Doc.Find(".agreement-text").Text()); got != seed.AgreementText {
		t.Fatalf("the page does not show the agreement text exactly:\n%s", got)
	}
	if form.Get("sha256") != sha256Hex(seed.AgreementText) {
		t.Fatalf("form carries hash %s, want the hash of the shown text", form.Get("sha256"))
	}
	if got := page.Doc.Find("main h1").Text(); got != "Partner Program Agreement" {
		t.Fatalf("heading %q", got)
	}
	if page.Doc.Find(`script[src^="/static/signature."]`).Length() != 1 {
		t.Fatal("the signature script is not included")
	}
	if page.Doc.Find("script:not([src])").Length() != 0 || page.Doc.Find("[style]").Length() != 0 {
		t.Fatal("inline script or style on the signing page")
	}
	// Without JavaScript only the typed-name option shows, and it is chosen.
	if _, hidden := page.Doc.Find("[data-draw-option]").Attr("hidden"); !hidden {
		t.Fatal("the draw option is visible without JavaScript")
	}
	if _, checked := page.Doc.Find("#kind-typed").Attr("checked"); !checked {
		t.Fatal("the typed option is not preselected for browsers without JavaScript")
	}
	if page.Doc.Find("canvas#signature-pad").Length() != 1 || page.Doc.Find("#consent").Length() != 1 {
		t.Fatal("signature pad or consent box missing")
	}
	if page.Doc.Find("#sign-progress").Text() != "Version 1" {
		t.Fatalf("progress line %q with a single agreement", page.Doc.Find("#sign-progress").Text())
	}

	// A partner never reaches the console.
	if r := c.Get("/console/agreements"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("partner opening /console/agreements: %d", r.StatusCode)
	}
	if r := c.Post("/console/agreements/settings", url.Values{"agreements_enabled": {"off"}}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("partner posting the org switch: %d", r.StatusCode)
	}
}

func TestSignAgreementTypedThenViewIt(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("user@northwind.test")
	form, _ := signForm(t, c)
	form.Set("signer_name", "  Umar Q. User ")
	form.Set("consent", "yes")
	form.Set("kind", "typed")
	form.Set("_csrf", c.CSRF())
	r := c.Do(http.MethodPost, "/agreements/sign", form, map[string]string{"User-Agent": testUA})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("sign: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = c.Get("/dashboard")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Doc.Find(".flash").Text(), "signed") {
		t.Fatalf("dashboard after signing: %d, flash %q", r.StatusCode, r.Doc.Find(".flash").Text())
	}
	if r := c.Get("/agreements/sign"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("signing page with nothing pending: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}

	var (
		id                         int64
		name, email, kind, img, ip string
		ua                         string
		hash                       []byte
		signer                     string
	)
	err := env.Store.Pool.QueryRow(t.Context(), `SELECT s.id, s.signer_name, s.signer_email, s.signature_kind, s.signature_image,
		s.ip, s.user_agent, s.signed_text_sha256, u.email
		FROM agreement_signatures s JOIN users u ON u.id = s.user_id JOIN partners p ON p.id = s.partner_id
		WHERE p.name = 'Northwind Agency'`).Scan(&id, &name, &email, &kind, &img, &ip, &ua, &hash, &signer)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(seed.AgreementText))
	switch {
	case name != "Umar Q. User" || email != "user@northwind.test" || signer != "user@northwind.test":
		t.Fatalf("signer %q <%s> (user %s)", name, email, signer)
	case kind != "typed" || img != "":
		t.Fatalf("kind %q, image %d bytes", kind, len(img))
	case !bytes.Equal(hash, want[:]):
		t.Fatalf("stored hash %x, want %x", hash, want)
	case ip != "127.0.0.1":
		t.Fatalf("ip %q", ip)
	case ua != testUA:
		t.Fatalf("user agent %q", ua)
	}
	if n := signatureCount(t, env); n != 1 {
		t.Fatalf("%d signatures stored", n)
	}

	// Account Settings lists it; the page shows what was signed.
	acc := c.Get("/account")
	link := acc.Doc.Find(`main a[href^="/account/agreements/"]`)
	if href, _ := link.Attr("href"); href != fmt.Sprintf("/account/agreements/%d", id) {
		t.Fatalf("account page links %q", href)
	}
	v := c.Get(fmt.Sprintf("/account/agreements/%d", id))
	if v.StatusCode != http.StatusOK {
		t.Fatalf("signed agreement page: %d", v.StatusCode)
	}
	if got := strings.TrimSpace(v.Doc.Find(".typed-signature").Text()); got != "Umar Q. User" {
		t.Fatalf("typed signature shows %q", got)
	}
	if got := v.Doc.Find("#signed-sha256").Text(); got != sha256Hex(seed.AgreementText) {
		t.Fatalf("page shows hash %q", got)
	}
	if got := strings.TrimSpace(v.Doc.Find(".agreement-text").Text()); got != seed.AgreementText {
		t.Fatal("signed page does not show the signed text")
	}
	if facts := v.Doc.Find("dl.facts").Text(); !strings.Contains(facts, "127.0.0.1") || !strings.Contains(facts, "user@northwind.test") {
		t.Fatalf("facts miss IP or email: %s", facts)
	}

	// The colleague at the same company is not asked again.
	colleague := env.Client(t)
	colleague.SignIn("admin@northwind.test")
	if r := colleague.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("colleague's dashboard: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := colleague.Get(fmt.Sprintf("/account/agreements/%d", id)); r.StatusCode != http.StatusOK {
		t.Fatalf("colleague opening the company's signature: %d", r.StatusCode)
	}

	// Another partner company cannot open it, even after signing itself.
	globex := env.Client(t)
	globex.SignIn("admin@globex.test")
	signTyped(t, globex, "Gina Admin")
	if r := globex.Get(fmt.Sprintf("/account/agreements/%d", id)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("Globex opening Northwind's signature: %d", r.StatusCode)
	}
	if r := globex.Get("/account/agreements/nope"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("malformed id: %d", r.StatusCode)
	}

	// Acme staff see it in the console; Initech staff do not.
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	cs := staff.Get(fmt.Sprintf("/console/signatures/%d", id))
	if cs.StatusCode != http.StatusOK || strings.TrimSpace(cs.Doc.Find(".typed-signature").Text()) != "Umar Q. User" {
		t.Fatalf("staff signature page: %d", cs.StatusCode)
	}
	ca := staff.Get(fmt.Sprintf("/console/agreements/%d", acmeAgreementID(t, env)))
	if ca.Doc.Find(fmt.Sprintf(`#signatures a[href="/console/signatures/%d"]`, id)).Length() != 1 ||
		!strings.Contains(ca.Doc.Find("#signatures").Text(), "Northwind Agency") {
		t.Fatal("console agreement page does not list Northwind's signature")
	}
	other := env.Client(t)
	other.SignIn("staff@initech.test")
	if r := other.Get(fmt.Sprintf("/console/signatures/%d", id)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("Initech staff opening Acme's signature: %d", r.StatusCode)
	}
}

func TestSignAgreementDrawn(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("admin@northwind.test")
	form, _ := signForm(t, c)
	drawing := tinyPNG(t)
	form.Set("signer_name", "Nora Admin")
	form.Set("consent", "yes")
	form.Set("kind", "drawn")
	form.Set("signature", drawing)
	if r := c.Post("/agreements/sign", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", r.StatusCode, r.Doc.Find("main").Text())
	}
	var id int64
	var kind, img string
	if err := env.Store.Pool.QueryRow(t.Context(),
		"SELECT id, signature_kind, signature_image FROM agreement_signatures").Scan(&id, &kind, &img); err != nil {
		t.Fatal(err)
	}
	if kind != "drawn" || img != drawing {
		t.Fatalf("stored kind %q, image %q", kind, img)
	}
	v := c.Get(fmt.Sprintf("/account/agreements/%d", id))
	if src, _ := v.Doc.Find("img.signature-image").Attr("src"); src != drawing {
		t.Fatalf("signature image src %q", src)
	}
}

func TestSignAgreementInvalidInput(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("user@northwind.test")
	good := tinyPNG(t)
	big := "data:image/png;base64," + strings.Repeat("A", 210<<10)
	cases := []struct {
		name                       string
		signer, consent, kind, sig string
		errField                   string
	}{
		{"no name", "", "yes", "typed", "", "signer_name"},
		{"one letter", "U", "yes", "typed", "", "signer_name"},
		{"name too long", strings.Repeat("x", 201), "yes", "typed", "", "signer_name"},
		{"no consent", "Umar User", "", "typed", "", "consent"},
		{"no kind", "Umar User", "yes", "", "", "kind"},
		{"drawn but empty", "Umar User", "yes", "drawn", "", "signature"},
		{"jpeg data URL", "Umar User", "yes", "drawn", strings.Replace(good, "image/png", "image/jpeg", 1), "signature"},
		{"not base64", "Umar User", "yes", "drawn", "data:image/png;base64,@@not-base64@@", "signature"},
		{"base64 of text", "Umar User", "yes", "drawn", "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("hello")), "signature"},
		{"too large", "Umar User", "yes", "drawn", big, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form, _ := signForm(t, c)
			form.Set("signer_name", tc.signer)
			form.Set("consent", tc.consent)
			form.Set("kind", tc.kind)
			form.Set("signature", tc.sig)
			r := c.Post("/agreements/sign", form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.StatusCode)
			}
			if r.Doc.Find("#"+tc.errField+"-error").Length() != 1 {
				t.Fatalf("no error beside %s; errors: %q", tc.errField, r.Doc.Find(".field-error").Text())
			}
			if got, _ := r.Doc.Find("#signer_name").Attr("value"); got != strings.TrimSpace(tc.signer) {
				t.Fatalf("name not kept: %q", got)
			}
			if r.Doc.Find(".agreement-text").Length() != 1 {
				t.Fatal("the agreement text is not shown again")
			}
			if n := signatureCount(t, env); n != 0 {
				t.Fatalf("%d signatures stored", n)
			}
		})
	}
	// Several problems at once, each beside its field.
	form, _ := signForm(t, c)
	form.Set("kind", "drawn")
	r := c.Post("/agreements/sign", form)
	for _, f := range []string{"signer_name", "consent", "signature"} {
		if r.Doc.Find("#"+f+"-error").Length() != 1 {
			t.Fatalf("empty form: no error for %s", f)
		}
	}
	// A valid drawing survives an error elsewhere; the user does not redraw it.
	form.Set("signature", good)
	r = c.Post("/agreements/sign", form)
	if v, _ := r.Doc.Find("#signature-data").Attr("value"); v != good {
		t.Fatal("valid drawing dropped after an error in another field")
	}
	if _, ok := r.Doc.Find("#kind-drawn").Attr("checked"); !ok {
		t.Fatal("choice of drawing not kept")
	}
}

func TestSignAgreementRefusesStaleText(t *testing.T) {
	env := apptest.NewEnv(t)
	c := env.Client(t)
	c.SignIn("user@northwind.test")
	valid := func() url.Values {
		form, _ := signForm(t, c)
		form.Set("signer_name", "Umar User")
		form.Set("consent", "yes")
		form.Set("kind", "typed")
		return form
	}

	wrongHash := valid()
	wrongHash.Set("sha256", sha256Hex(seed.AgreementText+" "))
	badHash := valid()
	badHash.Set("sha256", "zz")
	wrongVersion := valid()
	wrongVersion.Set("version_id", "999999")
	for name, form := range map[string]url.Values{"wrong hash": wrongHash, "bad hash": badHash, "wrong version": wrongVersion} {
		r := c.Post("/agreements/sign", form)
		if r.StatusCode != http.StatusConflict || r.Doc.Find("#sign-notice").Length() != 1 {
			t.Fatalf("%s: status %d", name, r.StatusCode)
		}
		if _, checked := r.Doc.Find("#consent").Attr("checked"); checked {
			t.Fatalf("%s: consent carried over to text the user has not read", name)
		}
		if n := signatureCount(t, env); n != 0 {
			t.Fatalf("%s: %d signatures stored", name, n)
		}
	}

	// The user reads v1; meanwhile staff publish v2. Signing the open page is refused
	// and the page shows v2.
	stale := valid()
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	v2 := seed.AgreementText + "\n\n6. Updates. Acme Cloud may publish new versions of this agreement."
	publishNewText(t, staff, acmeAgreementID(t, env), "Partner Program Agreement", v2)
	r := c.Post("/agreements/sign", stale)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Doc.Find("#sign-notice").Text(), "Nothing was signed") {
		t.Fatalf("stale version: status %d, notice %q", r.StatusCode, r.Doc.Find("#sign-notice").Text())
	}
	if got := strings.TrimSpace(r.Doc.Find(".agreement-text").Text()); got != v2 {
		t.Fatal("refusal does not show the current text")
	}
	if got, _ := r.Doc.Find(`input[name="sha256"]`).Attr("value"); got != sha256Hex(v2) {
		t.Fatal("refusal page does not carry the current hash")
	}
	if got, _ := r.Doc.Find("#signer_name").Attr("value"); got != "Umar User" {
		t.Fatalf("name not kept: %q", got)
	}
	if n := signatureCount(t, env); n != 0 {
		t.Fatalf("%d signatures stored for stale text", n)
	}
	// Signing the page as now shown works, with v2's hash.
	signTyped(t, c, "Umar User")
	var hash []byte
	var version int32
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT s.signed_text_sha256, v.version FROM agreement_signatures s
		JOIN agreement_versions v ON v.id = s.agreement_version_id`).Scan(&hash, &version); err != nil {
		t.Fatal(err)
	}
	if version != 2 || hex.EncodeToString(hash) != sha256Hex(v2) {
		t.Fatalf("signed version %d with hash %x", version, hash)
	}
}

func TestAgreementNewVersionAndSwitches(t *testing.T) {
	env := apptest.NewEnv(t)
	partner := env.Client(t)
	partner.SignIn("user@northwind.test")
	signTyped(t, partner, "Umar User")
	if r := partner.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after signing: %d", r.StatusCode)
	}

	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	id := acmeAgreementID(t, env)
	v2 := "ACME CLOUD PARTNER PROGRAM AGREEMENT, 2nd edition\r\n\r\n1. Scope. Unchanged in substance."
	publishNewText(t, staff, id, "Partner Program Agreement", v2)

	// A new version: the company is asked again, with the new text.
	if r := partner.Get("/dashboard"); r.Header.Get("Location") != "/agreements/sign" {
		t.Fatalf("after v2 the partner goes to %q", r.Header.Get("Location"))
	}
	_, page := signForm(t, partner)
	if got := page.Doc.Find("#sign-progress").Text(); !strings.Contains(got, "Version 2") {
		t.Fatalf("progress line %q", got)
	}
	if got := page.Doc.Find(".agreement-text").Text(); got != strings.ReplaceAll(v2, "\r\n", "\n") {
		t.Fatalf("v2 text shown as %q", got)
	}

	// Organization switch off: nobody has to sign.
	r := staff.Post("/console/agreements/settings", url.Values{"agreements_enabled": {"off"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch off: %d", r.StatusCode)
	}
	if r := partner.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard with agreements off: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := partner.Get("/agreements/sign"); r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("signing page with agreements off goes to %q", r.Header.Get("Location"))
	}
	list := staff.Get("/console/agreements")
	if got := list.Doc.Find("#agreements-state").Text(); got != "Off." {
		t.Fatalf("console shows the switch as %q", got)
	}
	if v, _ := list.Doc.Find(`#agreements-switch form`).Attr("data-confirm"); v == "" {
		t.Fatal("the org switch does not ask for confirmation")
	}
	staff.Post("/console/agreements/settings", url.Values{"agreements_enabled": {"on"}})
	if r := partner.Get("/dashboard"); r.Header.Get("Location") != "/agreements/sign" {
		t.Fatal("switching agreements back on does not ask again")
	}
	if r := staff.Post("/console/agreements/settings", url.Values{"agreements_enabled": {"maybe"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("odd switch value: %d", r.StatusCode)
	}

	// One agreement disabled: not asked for it.
	path := fmt.Sprintf("/console/agreements/%d", id)
	if r := staff.Post(path+"/enabled", url.Values{"enabled": {"off"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if r := partner.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("dashboard with the agreement disabled: %d", r.StatusCode)
	}
	page = staff.Get(path)
	if !strings.Contains(page.Doc.Find("#agreement-status").Text(), "Disabled") {
		t.Fatalf("status line %q", page.Doc.Find("#agreement-status").Text())
	}
	// Version history with signature counts: v2 none yet, v1 one.
	rows := page.Doc.Find("#versions tbody tr")
	if rows.Length() != 2 || !strings.Contains(rows.Eq(0).Text(), "v2") ||
		strings.TrimSpace(rows.Eq(0).Find("td.num").Text()) != "0" || strings.TrimSpace(rows.Eq(1).Find("td.num").Text()) != "1" {
		t.Fatalf("version history: %q", rows.Text())
	}
	staff.Post(path+"/enabled", url.Values{"enabled": {"on"}})
	if r := partner.Get("/dashboard"); r.Header.Get("Location") != "/agreements/sign" {
		t.Fatal("enabling the agreement again does not ask for v2")
	}
}

func TestAgreementSeveralPendingOneAtATime(t *testing.T) {
	env := apptest.NewEnv(t)
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	r := staff.Post("/console/agreements", url.Values{"title": {"Data Processing Addendum"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/agreements/") {
		t.Fatalf("create: %d → %q", r.StatusCode, loc)
	}
	page := staff.Get(loc)
	if page.StatusCode != http.StatusOK || page.Doc.Find("#publish-form").Length() != 0 {
		t.Fatalf("new agreement page: %d, publish offered without a draft", page.StatusCode)
	}
	var dpaID int64
	fmt.Sscanf(strings.TrimPrefix(loc, "/console/agreements/"), "%d", &dpaID)
	publishNewText(t, staff, dpaID, "Data Processing Addendum", "DATA PROCESSING ADDENDUM\n\nThe partner processes customer data only as instructed.")

	c := env.Client(t)
	c.SignIn("admin@globex.test")
	_, first := signForm(t, c)
	if got := first.Doc.Find("#sign-progress").Text(); !strings.Contains(got, "1 of 2") || first.Doc.Find("main h1").Text() != "Partner Program Agreement" {
		t.Fatalf("first page: %q / %q", first.Doc.Find("main h1").Text(), got)
	}
	r = signTyped(t, c, "Gina Admin")
	if loc := r.Header.Get("Location"); loc != "/agreements/sign?done=1" {
		t.Fatalf("after the first signature: %q", loc)
	}
	if r := c.Get("/dashboard"); r.Header.Get("Location") != "/agreements/sign" {
		t.Fatal("dashboard reachable with one agreement still unsigned")
	}
	second := c.Get("/agreements/sign?done=1")
	if got := second.Doc.Find("#sign-progress").Text(); !strings.Contains(got, "2 of 2") || second.Doc.Find("main h1").Text() != "Data Processing Addendum" {
		t.Fatalf("second page: %q / %q", second.Doc.Find("main h1").Text(), got)
	}
	form, _ := signForm(t, c) // without ?done the form carries 0; signing still works
	form.Set("signer_name", "Gina Admin")
	form.Set("consent", "yes")
	form.Set("kind", "typed")
	if r := c.Post("/agreements/sign", form); r.Header.Get("Location") != "/dashboard" {
		t.Fatalf("after the last signature: %q", r.Header.Get("Location"))
	}
	if n := signatureCount(t, env); n != 2 {
		t.Fatalf("%d signatures", n)
	}
	acc := c.Get("/account")
	for _, title := range []string{"Partner Program Agreement", "Data Processing Addendum"} {
		if !strings.Contains(acc.Doc.Find("main table").Text(), title) {
			t.Fatalf("account page does not list %s", title)
		}
	}
}

func TestConsoleAgreementEditing(t *testing.T) {
	env := apptest.NewEnv(t)
	staff := env.Client(t)
	staff.SignIn("staff@acme.test")
	id := acmeAgreementID(t, env)
	path := fmt.Sprintf("/console/agreements/%d", id)

	list := staff.Get("/console/agreements")
	row := list.Doc.Find(fmt.Sprintf("#agreement-%d", id))
	if list.StatusCode != http.StatusOK || !strings.Contains(row.Text(), "v1") || !strings.Contains(row.Text(), "Enabled") {
		t.Fatalf("list: %d, row %q", list.StatusCode, row.Text())
	}
	if r := staff.Post("/console/agreements", url.Values{"title": {"  "}}); r.StatusCode != http.StatusUnprocessableEntity ||
		r.Doc.Find("#title-error").Length() != 1 {
		t.Fatalf("empty title: %d", r.StatusCode)
	}

	// The editor starts from the published text; there is nothing to publish.
	page := staff.Get(path)
	if got := page.Doc.Find("textarea#body").Text(); got != seed.AgreementText {
		t.Fatal("editor does not start from the published text")
	}
	if r := staff.Post(path+"/publish", nil); r.StatusCode != http.StatusConflict || r.Doc.Find("#agreement-notice").Length() != 1 {
		t.Fatalf("publish without draft: %d", r.StatusCode)
	}
	// Renaming with the same text starts no draft.
	if r := staff.Post(path, url.Values{"title": {"Partner Agreement"}, "body": {seed.AgreementText}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.StatusCode)
	}
	var versions int
	env.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM agreement_versions WHERE agreement_id = $1", id).Scan(&versions)
	if versions != 1 {
		t.Fatalf("rename created a version (%d versions)", versions)
	}

	// Invalid input: 422 in place, values kept, nothing saved.
	for name, form := range map[string]url.Values{
		"empty body":     {"title": {"Partner Agreement"}, "body": {"  \r\n "}},
		"empty title":    {"title": {""}, "body": {"New text"}},
		"long title":     {"title": {strings.Repeat("t", 201)}, "body": {"New text"}},
		"body too large": {"title": {"Partner Agreement"}, "body": {strings.Repeat("b", 200001)}},
	} {
		r := staff.Post(path, form)
		if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find(".field-error").Length() != 1 {
			t.Fatalf("%s: status %d, %d errors", name, r.StatusCode, r.Doc.Find(".field-error").Length())
		}
		if got, _ := r.Doc.Find("#title").Attr("value"); got != strings.TrimSpace(form.Get("title")) {
			t.Fatalf("%s: title not kept", name)
		}
	}
	env.Store.Pool.QueryRow(t.Context(), "SELECT count(*) FROM agreement_versions WHERE agreement_id = $1", id).Scan(&versions)
	if versions != 1 {
		t.Fatalf("invalid input saved a version (%d versions)", versions)
	}

	// A changed text is the draft of v2, hashed on the server.
	body := "Version two text.\r\nSecond line."
	if r := staff.Post(path, url.Values{"title": {"Partner Agreement"}, "body": {body}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save draft: %d", r.StatusCode)
	}
	var stored string
	var hash []byte
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT body, body_sha256 FROM agreement_versions WHERE agreement_id = $1 AND version = 2 AND published_at IS NULL", id).
		Scan(&stored, &hash); err != nil {
		t.Fatal(err)
	}
	if stored != "Version two text.\nSecond line." || hex.EncodeToString(hash) != sha256Hex(stored) {
		t.Fatalf("draft stored as %q with hash %x", stored, hash)
	}
	page = staff.Get(path)
	pub := page.Doc.Find("#publish-form")
	if confirm, _ := pub.Attr("data-confirm"); !strings.Contains(confirm, "version 2") || !strings.Contains(pub.Text(), "Publish version 2") {
		t.Fatalf("publish form: %q / %q", confirm, pub.Text())
	}
	if got := staff.Get("/console/agreements").Doc.Find(fmt.Sprintf("#agreement-%d", id)).Text(); !strings.Contains(got, "Yes") {
		t.Fatalf("list does not show the draft: %q", got)
	}
	if r := staff.Post(path+"/publish", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	page = staff.Get(path)
	if !strings.Contains(page.Doc.Find(".flash").Text(), "Version 2 is published") ||
		!strings.Contains(page.Doc.Find("#agreement-status").Text(), "version 2 published") {
		t.Fatalf("after publish: flash %q, status %q", page.Doc.Find(".flash").Text(), page.Doc.Find("#agreement-status").Text())
	}
}

func TestConsoleAgreementsScopedToOrganization(t *testing.T) {
	env := apptest.NewEnv(t)
	id := acmeAgreementID(t, env)
	path := fmt.Sprintf("/console/agreements/%d", id)
	other := env.Client(t)
	other.SignIn("staff@initech.test")
	if r := other.Get("/console/agreements"); r.StatusCode != http.StatusOK ||
		strings.Contains(r.Doc.Find("main").Text(), "Partner Program Agreement") {
		t.Fatalf("Initech's list: %d, shows Acme's agreement", r.StatusCode)
	}
	for _, req := range []struct {
		method, path string
		form         url.Values
	}{
		{http.MethodGet, path, nil},
		{http.MethodPost, path, url.Values{"title": {"Hijacked"}, "body": {"Hijacked text"}}},
		{http.MethodPost, path + "/publish", nil},
		{http.MethodPost, path + "/enabled", url.Values{"enabled": {"off"}}},
	} {
		var r *apptest.Response
		if req.method == http.MethodGet {
			r = other.Get(req.path)
		} else {
			r = other.Post(req.path, req.form)
		}
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("Initech staff %s %s: %d", req.method, req.path, r.StatusCode)
		}
	}
	var title string
	var enabled bool
	var versions int
	if err := env.Store.Pool.QueryRow(t.Context(), `SELECT title, enabled, (SELECT count(*) FROM agreement_versions WHERE agreement_id = a.id)
		FROM agreements a WHERE id = $1`, id).Scan(&title, &enabled, &versions); err != nil {
		t.Fatal(err)
	}
	if title != "Partner Program Agreement" || !enabled || versions != 1 {
		t.Fatalf("Acme's agreement changed by Initech staff: %q enabled=%v versions=%d", title, enabled, versions)
	}
	// Initech has agreements off: its partner is never asked to sign.
	p := env.Client(t)
	p.SignIn("admin@initrode.test")
	if r := p.Get("/dashboard"); r.StatusCode != http.StatusOK {
		t.Fatalf("Initrode dashboard: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
}
