package app_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

// northwindLead is a lead of Northwind Agency, the partner of the demo users.
func northwindLead(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	return queryInt(t, env, `SELECT l.id FROM leads l JOIN partners p ON p.id = l.partner_id
		WHERE p.name = 'Northwind Agency' ORDER BY l.id LIMIT 1`)
}

func TestBadInputRefusedAtTheEdge(t *testing.T) {
	env := noAgreementsEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	lead := northwindLead(t, env)
	notes := func() int64 { return queryInt(t, env, `SELECT count(*) FROM lead_events WHERE kind = 'note'`) }
	before := notes()
	path := fmt.Sprintf("/leads/%d/notes", lead)

	// The case: a NUL byte in the note was PostgreSQL's SQLSTATE 22021, a 500.
	for _, v := range []string{"a\x00b", "caf\xe9", "\xff"} {
		r := c.Post(path, url.Values{"note": {v}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("note %q: status %d", v, r.StatusCode)
		}
		msg := r.Doc.Find("main").Text()
		if !strings.Contains(msg, "“note”") || !strings.Contains(msg, "cannot store") {
			t.Fatalf("note %q: the page does not name the field: %q", v, strings.TrimSpace(msg))
		}
		if r.Doc.Find("nav").Length() == 0 {
			t.Fatal("a form post gets the whole error page (with the navigation)")
		}
	}
	// htmx: the error fragment, nothing else.
	form := url.Values{"note": {"x\x00"}, "_csrf": {c.CSRF()}}
	r := c.Do(http.MethodPost, path, form, map[string]string{"HX-Request": "true"})
	if r.StatusCode != http.StatusUnprocessableEntity || strings.Contains(r.Body, "<html") ||
		r.Doc.Find(`.error-fragment[data-status="422"]`).Length() != 1 || !strings.Contains(r.Body, "“note”") {
		t.Fatalf("htmx: %d %s", r.StatusCode, r.Body)
	}
	// A query parameter, and a bad field name.
	if r := c.Get("/leads?q=%FF%FEabc"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "“q”") {
		t.Fatalf("GET /leads?q=<invalid UTF-8>: %d", r.StatusCode)
	}
	if r := c.Get("/leads?x%00y=1"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "“x\uFFFDy”") {
		t.Fatalf("GET /leads?x<NUL>y=1: %d", r.StatusCode)
	}
	// Multipart fields too.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.CSRF())
	_ = mw.WriteField("note", "a\x00b")
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "“note”") {
		t.Fatalf("multipart note with NUL: %d", res.StatusCode)
	}
	if n := notes(); n != before {
		t.Fatalf("%d notes saved from bad input", n-before)
	}
	// Good input still works.
	if r := c.Post(path, url.Values{"note": {"Called them, ünïcode is fine"}}); r.StatusCode >= 400 {
		t.Fatalf("a good note: %d", r.StatusCode)
	}
	if notes() != before+1 {
		t.Fatal("the good note was not saved")
	}

	// The API: the same rule, in its JSON shape.
	r = c.Do(http.MethodPost, "/api/v1/signups?campaign=%00", nil, map[string]string{"Content-Type": "application/json"})
	var got struct{ Errors map[string]string }
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(got.Errors["campaign"], "cannot store") {
		t.Fatalf("API with a NUL in the query: %d %s", r.StatusCode, r.Body)
	}
}

// rawRequest writes a request on its own connection and reads the answer:
// the server refuses a too-large request before reading all of it and closes
// the connection, which net/http's client can report as a reset.
func rawRequest(t *testing.T, env *apptest.Env, head string, body []byte) (int, string, string) {
	t.Helper()
	u, _ := url.Parse(env.URL)
	for attempt := 0; ; attempt++ {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		go func() { _, _ = conn.Write(append([]byte(head), body...)) }()
		res, err := http.ReadResponse(bufioReader(conn), nil)
		if err != nil {
			conn.Close()
			if attempt < 5 {
				continue
			}
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		conn.Close()
		return res.StatusCode, res.Header.Get("Content-Type"), string(b)
	}
}

func TestAPIAnswersJSONForTooLarge(t *testing.T) {
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	u, _ := url.Parse(env.URL)
	jsonError := func(name string, status int, ctype, body string, want int) {
		t.Helper()
		var e struct{ Error string }
		if status != want || !strings.HasPrefix(ctype, "application/json") || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Fatalf("%s: %d %q %.200s", name, status, ctype, body)
		}
	}
	big := bytes.Repeat([]byte("a"), 3<<20)
	st, ct, b := rawRequest(t, env, fmt.Sprintf("POST /api/v1/signups HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", u.Host, len(big)), big)
	jsonError("3 MB body", st, ct, b, http.StatusRequestEntityTooLarge)

	for _, size := range []int{10 << 10, 40 << 10} { // ours (8 KB) and past fasthttp's buffer (16 KB)
		head := fmt.Sprintf("POST /api/v1/signups HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\nContent-Length: 0\r\n\r\n", u.Host, strings.Repeat("p", size))
		st, ct, b = rawRequest(t, env, head, nil)
		jsonError(fmt.Sprintf("%d KB of headers", size>>10), st, ct, b, http.StatusRequestHeaderFieldsTooLarge)
	}
	// A page answers with a page.
	st, ct, b = rawRequest(t, env, fmt.Sprintf("GET /login HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\n\r\n", u.Host, strings.Repeat("p", 10<<10)), nil)
	if st != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(ct, "text/html") || !strings.Contains(b, "headers are too large") {
		t.Fatalf("page with 10 KB of headers: %d %q", st, ct)
	}
	// An unknown API path is JSON too.
	c := env.Client(t)
	if r := c.Get("/api/v1/nothing"); r.StatusCode != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("unknown API path: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
}

func TestConsoleAgreementsWithNewAgreement(t *testing.T) {
	env := apptest.NewEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	r := staff.Post("/console/agreements", url.Values{"title": {"Reseller addendum"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", r.StatusCode)
	}
	r = staff.Get("/console/agreements")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /console/agreements with an unpublished agreement: %d", r.StatusCode)
	}
	row := r.Doc.Find("tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "Reseller addendum")
	})
	if row.Length() != 1 || !strings.Contains(row.Text(), "Not published yet") {
		t.Fatalf("the new agreement's row: %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if !strings.Contains(r.Doc.Find("main").Text(), "Partner Program Agreement") {
		t.Fatal("the published agreement is missing from the list")
	}
}

// pngDataURL encodes img as the signature pad would send it.
func pngDataURL(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// hugePNG is a valid 1×1 PNG whose header claims width×height pixels.
func hugePNG(t *testing.T, width, height uint32) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR data starts at byte 16 (8 signature + 4 length + 4 type).
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

func TestDrawnSignatureWithoutInkRefused(t *testing.T) {
	env := apptest.NewEnv(t)
	c := signedIn(t, env, "user@northwind.test")
	blank := func(fill color.Color) image.Image {
		img := image.NewNRGBA(image.Rect(0, 0, 600, 200))
		for y := 0; y < 200; y++ {
			for x := 0; x < 600; x++ {
				img.Set(x, y, fill)
			}
		}
		return img
	}
	transparent := pngDataURL(t, image.NewNRGBA(image.Rect(0, 0, 600, 200)))
	cases := map[string]string{
		"fully transparent":        transparent,
		"white":                    pngDataURL(t, blank(color.White)),
		"black but transparent":    pngDataURL(t, blank(color.NRGBA{0, 0, 0, 0})),
		"faint (alpha 10)":         pngDataURL(t, blank(color.NRGBA{0x1a, 0x1a, 0x2e, 10})),
		"gray 16-bit white":        pngDataURL(t, blank(color.Gray16{0xffff})),
		"paletted white":           pngDataURL(t, image.NewPaletted(image.Rect(0, 0, 50, 50), color.Palette{color.White})),
		"declares 100000² pixels":  hugePNG(t, 100000, 100000),
		"declares 5000×1 pixels":   hugePNG(t, 5000, 1),
		"declares 0 pixels":        hugePNG(t, 0, 0),
		"declares 2000×2001 (4M+)": hugePNG(t, 2000, 2001),
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			form, _ := signForm(t, c)
			form.Set("signer_name", "Umar User")
			form.Set("consent", "yes")
			form.Set("kind", "drawn")
			form.Set("signature", sig)
			r := c.Post("/agreements/sign", form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.StatusCode)
			}
			msg := r.Doc.Find("#signature-error").Text()
			if strings.HasPrefix(name, "declares") {
				if !strings.Contains(msg, "could not be read") {
					t.Fatalf("message %q", msg)
				}
			} else if !strings.Contains(msg, "signature box is empty") {
				t.Fatalf("message %q", msg)
			}
			if r.Doc.Find(".agreement-text").Length() != 1 || r.Doc.Find("#sign-form").Length() != 1 {
				t.Fatal("the refusal is not shown in place, on the signing page")
			}
			if n := signatureCount(t, env); n != 0 {
				t.Fatalf("%d signatures stored", n)
			}
		})
	}

	// One dot of ink is a signature (a tap on the pad).
	dot := image.NewNRGBA(image.Rect(0, 0, 600, 200))
	dot.Set(300, 100, color.NRGBA{0x1a, 0x1a, 0x2e, 0xff})
	form, _ := signForm(t, c)
	form.Set("signer_name", "Umar User")
	form.Set("consent", "yes")
	form.Set("kind", "drawn")
	form.Set("signature", pngDataURL(t, dot))
	if r := c.Post("/agreements/sign", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a dot of ink: %d %q", r.StatusCode, r.Doc.Find("#signature-error").Text())
	}
	id := queryInt(t, env, "SELECT id FROM agreement_signatures")
	page := c.Get(fmt.Sprintf("/account/agreements/%d", id))
	if page.Doc.Find("img.signature-image").Length() != 1 || !strings.Contains(page.Doc.Find("#signature").Text(), "Drawn by hand") {
		t.Fatal("a drawing with ink is not shown as drawn")
	}

	// A blank drawing stored before this check: no empty box, not "Drawn by hand".
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE agreement_signatures SET signature_image = $1 WHERE id = $2", transparent, id); err != nil {
		t.Fatal(err)
	}
	page = c.Get(fmt.Sprintf("/account/agreements/%d", id))
	sig := page.Doc.Find("#signature")
	if page.StatusCode != http.StatusOK || sig.Find("img").Length() != 0 || strings.Contains(sig.Text(), "Drawn by hand") ||
		!strings.Contains(sig.Find(".typed-signature").Text(), "Umar User") {
		t.Fatalf("stored blank drawing: %d %q", page.StatusCode, strings.Join(strings.Fields(sig.Text()), " "))
	}
	staff := signedIn(t, env, "staff@acme.test")
	page = staff.Get(fmt.Sprintf("/console/signatures/%d", id))
	if sig := page.Doc.Find("#signature"); sig.Find("img").Length() != 0 || strings.Contains(sig.Text(), "Drawn by hand") {
		t.Fatalf("console view of the stored blank drawing: %q", strings.Join(strings.Fields(sig.Text()), " "))
	}
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
