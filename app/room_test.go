package app_test

import (
	archivezip "archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/media"
	"partnerportal/app/resource"
	"partnerportal/app/seed"
)

// roomEnv is the portal with agreements off and the Partner Room demo data.
func roomEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := noAgreementsEnv(t)
	if err := seed.Resources(t.Context(), env.Store, env.Files, env.Log, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return env
}

type upFile struct {
	name string
	body []byte
}

// upload posts a multipart form the way a browser without JS does: the
// CSRF token as the first field (csrf "" leaves it out), then the fields,
// then the files.
func upload(t *testing.T, c *apptest.Client, path, csrf string, fields url.Values, files ...upFile) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if csrf != "" {
		_ = w.WriteField("_csrf", csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("file", f.name)
		_, _ = fw.Write(f.body)
	}
	_ = w.Close()
	return c.DoBody(http.MethodPost, path, &b, map[string]string{"Content-Type": w.FormDataContentType()})
}

func resourceIDByTitle(t testing.TB, env *apptest.Env, org, title string) int64 {
	t.Helper()
	return scalarTB(t, env, "SELECT r.id FROM resources r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = $1 AND r.title = $2", org, title)
}

func currentVersion(t testing.TB, env *apptest.Env, id int64) int64 {
	t.Helper()
	return scalarTB(t, env, "SELECT current_version_id FROM resources WHERE id = $1", id)
}

func scalarTB(t testing.TB, env *apptest.Env, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := env.Store.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return n
}

// signedInTB is signedIn for benchmarks too.
func signedInTB(t testing.TB, env *apptest.Env, email string) *apptest.Client {
	t.Helper()
	c := env.Client(t)
	c.SignIn(email)
	return c
}

func TestPartnerRoomUploadPreviewSearchDownload(t *testing.T) {
	env := roomEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	pdf, err := resource.SamplePDF("Field guide", []string{"Only this document mentions the quokkaware connector.", "Page two.", "Page three.", "Page four."}, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {"Field guide"}, "tags": {"Guides, field"}, "visibility": {"all"}},
		upFile{"field-guide.pdf", pdf})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	id := resourceIDByTitle(t, env, "acme", "Field guide")
	if loc := r.Header.Get("Location"); loc != "/console/resources/"+strconv.FormatInt(id, 10) {
		t.Fatalf("location %q", loc)
	}
	vid := currentVersion(t, env, id)
	// Until the worker ran, the console page shows "preparing preview" polling itself.
	env.WaitForTasks(t, "default", 1)
	page := staff.Get(fmt.Sprintf("/console/resources/%d", id))
	if page.StatusCode != 200 || page.Doc.Find(`#preview img.room-page`).Length() != 3 {
		t.Fatalf("console preview: %d %s", page.StatusCode, page.Doc.Find("#preview").Text())
	}
	if got := queryInt(t, env, "SELECT size_bytes FROM resource_versions WHERE id = $1", vid); got != int64(len(pdf)) {
		t.Errorf("size %d", got)
	}

	// A partner finds it by a word that is only inside the PDF.
	partner := signedIn(t, env, "admin@globex.test")
	list := partner.Get("/partner-room?q=quokkaware")
	card := list.Doc.Find(fmt.Sprintf("#resource-%d", id))
	if list.StatusCode != 200 || card.Length() != 1 || card.Find("mark").Text() != "quokkaware" {
		t.Fatalf("search: %d %q", list.StatusCode, list.Doc.Find("#room-results").Text())
	}
	if list.Doc.Find(".room-card").Length() != 1 {
		t.Errorf("search found %d", list.Doc.Find(".room-card").Length())
	}
	// htmx asks for the results only.
	frag := partner.Do("GET", "/partner-room?q=quokkaware", nil, map[string]string{"HX-Request": "true"})
	if frag.Doc.Find("h1").Length() != 0 || frag.Doc.Find("#room-results .room-card").Length() != 1 {
		t.Errorf("fragment: %s", frag.Body)
	}
	// The resource page shows the page images and the Download button.
	res := partner.Get(fmt.Sprintf("/partner-room/%d", id))
	if res.StatusCode != 200 || res.Doc.Find("#preview img.room-page").Length() != 3 || res.Doc.Find("#download").Length() != 1 {
		t.Fatalf("page: %d %s", res.StatusCode, res.Doc.Find("main").Text())
	}
	img := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/pages/1", id, vid))
	if img.StatusCode != 200 || img.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.Body, "\x89PNG") {
		t.Errorf("page image: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
	}
	dl := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid))
	if dl.StatusCode != 200 || dl.Body != string(pdf) {
		t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(dl.Body))
	}
	checkFileHeaders(t, dl, "attachment", "field-guide.pdf")
	// A range (the player seeking) is a 206 with just those bytes.
	rg := partner.Do("GET", fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid), nil, map[string]string{"Range": "bytes=10-19"})
	if rg.StatusCode != http.StatusPartialContent || rg.Body != string(pdf[10:20]) || rg.Header.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(pdf)) {
		t.Errorf("range: %d %q %q", rg.StatusCode, rg.Body, rg.Header.Get("Content-Range"))
	}
	if n := queryInt(t, env, "SELECT count(*) FROM resource_events WHERE resource_id = $1 AND kind = 'download'", id); n != 1 {
		t.Errorf("downloads counted %d", n)
	}
	// Staff see it by partner, and as CSV.
	st := staff.Get(fmt.Sprintf("/console/resources/%d/stats", id))
	if st.StatusCode != 200 || !strings.Contains(st.Doc.Find("#stats-partners").Text(), "Globex Partners") {
		t.Errorf("stats: %d", st.StatusCode)
	}
	csv := staff.Get(fmt.Sprintf("/console/resources/%d/stats.csv", id))
	if csv.StatusCode != 200 || !strings.Contains(csv.Body, "Globex Partners,1,1") {
		t.Errorf("csv: %d %q", csv.StatusCode, csv.Body)
	}

	// Replace the file: a new version, the old one still listed and downloadable.
	r = upload(t, staff, fmt.Sprintf("/console/resources/%d/files", id), staff.CSRF(), nil, upFile{"field-guide-v2.md", []byte("# Field guide v2\n\nNow with the wombatic appendix.\n")})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("replace: %d %s", r.StatusCode, r.Body)
	}
	env.WaitForTasks(t, "default", 2)
	page = partner.Get(fmt.Sprintf("/partner-room/%d", id))
	if page.Doc.Find(".room-text.markdown h1").Text() != "Field guide v2" || page.Doc.Find("section[aria-labelledby=versions-title] tbody tr").Length() != 2 {
		t.Errorf("after replace: %s", page.Doc.Find("main").Text())
	}
	if old := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid)); old.Body != string(pdf) {
		t.Error("old version lost")
	}
	if l := partner.Get("/partner-room?q=wombatic"); l.Doc.Find(fmt.Sprintf("#resource-%d", id)).Length() != 1 {
		t.Error("new version's text not searchable")
	}
	if l := partner.Get("/partner-room?q=quokkaware"); l.Doc.Find(".room-card").Length() != 0 {
		t.Error("old version's text still searched")
	}

	// Archive: partners no longer see it.
	if r := staff.Post(fmt.Sprintf("/console/resources/%d/archive", id), url.Values{"archived": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", r.StatusCode)
	}
	for _, p := range []string{fmt.Sprintf("/partner-room/%d", id), fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid)} {
		if r := partner.Get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("archived %s: %d", p, r.StatusCode)
		}
	}
}

func checkFileHeaders(t *testing.T, r *apptest.Response, disp, name string) {
	t.Helper()
	h := r.Header
	if h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") ||
		!strings.HasPrefix(h.Get("Content-Disposition"), disp+`; filename="`+name+`"`) {
		t.Errorf("file headers: %v", h)
	}
}

func TestPartnerRoomAuthorization(t *testing.T) {
	env := roomEnv(t)
	premium := resourceIDByTitle(t, env, "acme", "Premium price sheet")
	open := resourceIDByTitle(t, env, "acme", "Product overview")
	pv, ov := currentVersion(t, env, premium), currentVersion(t, env, open)
	paths := func(id, v int64) []string {
		return []string{fmt.Sprintf("/partner-room/%d", id), fmt.Sprintf("/partner-room/%d/preview", id),
			fmt.Sprintf("/partner-room/%d/versions/%d/file", id, v), fmt.Sprintf("/partner-room/%d/versions/%d/pages/1", id, v)}
	}
	// Northwind is Premium: sees both.
	nw := signedIn(t, env, "user@northwind.test")
	for _, p := range append(paths(premium, pv), paths(open, ov)...) {
		if r := nw.Get(p); r.StatusCode != 200 {
			t.Errorf("premium partner %s: %d", p, r.StatusCode)
		}
	}
	// Globex is Standard: the Premium sheet is a 404 everywhere and is not listed.
	gx := signedIn(t, env, "admin@globex.test")
	for _, p := range paths(premium, pv) {
		if r := gx.Get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("hidden tier %s: %d", p, r.StatusCode)
		}
	}
	if r := gx.Get("/partner-room?q=marigold"); r.Doc.Find(".room-card").Length() != 0 {
		t.Error("hidden tier's resource found by search")
	}
	if r := nw.Get("/partner-room?q=marigold"); r.Doc.Find(fmt.Sprintf("#resource-%d", premium)).Length() != 1 {
		t.Error("premium partner cannot find the sheet")
	}
	// A version of another resource under this one's address is a 404.
	if r := gx.Get(fmt.Sprintf("/partner-room/%d/versions/%d/file", open, pv)); r.StatusCode != http.StatusNotFound {
		t.Errorf("crossed ids: %d", r.StatusCode)
	}
	// Another organization's partner and staff: 404 for page, preview, file.
	other := signedIn(t, env, "admin@initrode.test")
	for _, p := range paths(open, ov) {
		if r := other.Get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("other org partner %s: %d", p, r.StatusCode)
		}
	}
	otherStaff := signedIn(t, env, "staff@initech.test")
	for _, p := range []string{fmt.Sprintf("/console/resources/%d", open), fmt.Sprintf("/console/resources/%d/stats", open),
		fmt.Sprintf("/console/resources/%d/versions/%d/file", open, ov), fmt.Sprintf("/console/resources/%d/preview", open)} {
		if r := otherStaff.Get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("other org staff %s: %d", p, r.StatusCode)
		}
	}
	if r := upload(t, otherStaff, fmt.Sprintf("/console/resources/%d/files", open), otherStaff.CSRF(), nil, upFile{"x.md", []byte("hi")}); r.StatusCode != http.StatusNotFound {
		t.Errorf("other org replace: %d", r.StatusCode)
	}
	// Partners never reach the console.
	if r := nw.Get("/console/resources"); r.StatusCode != http.StatusNotFound {
		t.Errorf("partner in console: %d", r.StatusCode)
	}
	if r := upload(t, nw, "/console/resources", nw.CSRF(), url.Values{"title": {"x"}}, upFile{"x.md", []byte("hi")}); r.StatusCode != http.StatusNotFound {
		t.Errorf("partner upload: %d", r.StatusCode)
	}
}

func TestPartnerRoomUploadRefusals(t *testing.T) {
	env := roomEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	count := func() int64 { return queryInt(t, env, "SELECT count(*) FROM resource_versions") }
	before := count()
	cases := []struct {
		name   string
		file   upFile
		status int
		msg    string
	}{
		{"html named pdf", upFile{"offer.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")}, 422, "not a kind of file"},
		{"svg", upFile{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}, 422, "not a kind of file"},
		{"xml", upFile{"feed.txt", []byte(`<?xml version="1.0"?><feed></feed>`)}, 422, "not a kind of file"},
		{"exe", upFile{"setup.exe", append([]byte("MZ\x90\x00"), make([]byte, 200)...)}, 422, "not a kind of file"},
	}
	for _, c := range cases {
		r := upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {"x"}}, c.file)
		if r.StatusCode != c.status || !strings.Contains(r.Doc.Find("#file-error").Text(), c.msg) {
			t.Errorf("%s: %d %q", c.name, r.StatusCode, r.Doc.Find("#file-error").Text())
		}
	}
	// Over the configured limit: 413 with the limit named.
	env.Config.UploadMaxBytes = 64 << 10
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 100<<10)...)
	r := upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {"big"}}, upFile{"big.pdf", big})
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Doc.Find("#file-error").Text(), "larger than 64 KB") {
		t.Errorf("too large: %d %q", r.StatusCode, r.Doc.Find("#file-error").Text())
	}
	// Two files, the second refused: neither is saved.
	r = upload(t, staff, "/console/resources", staff.CSRF(), nil, upFile{"a.md", []byte("# A")}, upFile{"b.html", []byte("<html><script>x</script></html>")})
	if r.StatusCode != 422 {
		t.Errorf("second refused: %d", r.StatusCode)
	}
	// No CSRF token: refused before anything is stored.
	r = upload(t, staff, "/console/resources", "", url.Values{"title": {"x"}}, upFile{"a.md", []byte("# A")})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("no csrf: %d", r.StatusCode)
	}
	r = upload(t, staff, "/console/resources", "wrong-token", url.Values{"title": {"x"}}, upFile{"a.md", []byte("# A")})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("bad csrf: %d", r.StatusCode)
	}
	if count() != before {
		t.Errorf("refused uploads saved versions: %d → %d", before, count())
	}
	env.Config.UploadMaxBytes = 100 << 20
	// A ZIP is stored as is and only ever downloaded.
	var zb bytes.Buffer
	zw := archivezip.NewWriter(&zb)
	fw, _ := zw.Create("readme.txt")
	_, _ = fw.Write([]byte("press kit"))
	_ = zw.Close()
	zip := zb.Bytes()
	r = upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {"Press kit"}}, upFile{"press kit.zip", zip})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("zip: %d %s", r.StatusCode, r.Doc.Find(".form-errors").Text())
	}
	id := resourceIDByTitle(t, env, "acme", "Press kit")
	v := currentVersion(t, env, id)
	partner := signedIn(t, env, "admin@globex.test")
	dl := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/file?inline=1", id, v))
	if dl.Body != string(zip) || dl.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("zip download: %q", dl.Header.Get("Content-Type"))
	}
	checkFileHeaders(t, dl, "attachment", "press kit.zip")

	// A polyglot image's preview is pixels only; a decompression bomb's preview fails, visibly.
	poly := append(resource.SamplePNG(300, 200), []byte("<html><script>alert('poly')</script></html>")...)
	bomb := resource.Bomb()
	for _, f := range []upFile{{"poly.png", poly}, {"bomb.png", bomb}} {
		if r := upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {f.name}}, f); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", f.name, r.StatusCode)
		}
	}
	env.WaitForTasks(t, "default", 2)
	pid := resourceIDByTitle(t, env, "acme", "poly.png")
	thumb := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/pages/1", pid, currentVersion(t, env, pid)))
	if thumb.StatusCode != 200 || strings.Contains(thumb.Body, "script") {
		t.Errorf("polyglot thumbnail: %d", thumb.StatusCode)
	}
	bid := resourceIDByTitle(t, env, "acme", "bomb.png")
	page := partner.Get(fmt.Sprintf("/partner-room/%d", bid))
	if !strings.Contains(page.Doc.Find("#preview").Text(), "could not be made") {
		t.Errorf("bomb: %q", page.Doc.Find("#preview").Text())
	}
	if r := partner.Get(fmt.Sprintf("/partner-room/%d/versions/%d/pages/1", bid, currentVersion(t, env, bid))); r.StatusCode != 404 {
		t.Errorf("bomb page: %d", r.StatusCode)
	}
}

func TestPartnerRoomPreviewPollsUntilReady(t *testing.T) {
	env := roomEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	pdf, _ := resource.SamplePDF("Poll", []string{"text"}, env.Clock.Now())
	if r := upload(t, staff, "/console/resources", staff.CSRF(), url.Values{"title": {"Poll"}}, upFile{"poll.pdf", pdf}); r.StatusCode != 303 {
		t.Fatal(r.StatusCode)
	}
	env.WaitForTasks(t, "default", 1)
	id := resourceIDByTitle(t, env, "acme", "Poll")
	// As it is between the upload and the worker's run:
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE resource_versions SET preview_state = 'pending' WHERE resource_id = $1", id); err != nil {
		t.Fatal(err)
	}
	partner := signedIn(t, env, "admin@globex.test")
	page := partner.Get(fmt.Sprintf("/partner-room/%d", id))
	poll := page.Doc.Find(`#preview[hx-trigger="every 2s"]`)
	if poll.Length() != 1 || poll.AttrOr("hx-get", "") != fmt.Sprintf("/partner-room/%d/preview", id) || !strings.Contains(poll.Text(), "Preparing preview") {
		t.Fatalf("no polling fragment: %s", page.Doc.Find("#preview").Text())
	}
	frag := partner.Do("GET", fmt.Sprintf("/partner-room/%d/preview", id), nil, map[string]string{"HX-Request": "true"})
	if frag.Doc.Find(`#preview[hx-trigger]`).Length() != 1 {
		t.Error("fragment stops polling while pending")
	}
	// Ready: the fragment shows the page and stops polling.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE resource_versions SET preview_state = 'ready' WHERE resource_id = $1", id); err != nil {
		t.Fatal(err)
	}
	frag = partner.Do("GET", fmt.Sprintf("/partner-room/%d/preview", id), nil, map[string]string{"HX-Request": "true"})
	if frag.Doc.Find(`#preview[hx-trigger]`).Length() != 0 || frag.Doc.Find("#preview img.room-page").Length() != 1 {
		t.Errorf("ready fragment: %s", frag.Body)
	}
	// Failed: the reason is shown.
	if _, err := env.Store.Pool.Exec(t.Context(), "UPDATE resource_versions SET preview_state = 'failed', preview_error = 'The pages of this PDF could not be drawn.' WHERE resource_id = $1", id); err != nil {
		t.Fatal(err)
	}
	frag = partner.Do("GET", fmt.Sprintf("/partner-room/%d/preview", id), nil, map[string]string{"HX-Request": "true"})
	if !strings.Contains(frag.Doc.Find("#preview").Text(), "could not be drawn") {
		t.Errorf("failed fragment: %s", frag.Body)
	}
}

// The seed's WebM video (made by ffmpeg, app/seed/video.go): stored as a
// real WebM, shown in the player, and served with ranges for seeking.
// Without ffmpeg the seed skips it; under CI (CI=true, where .ci/services
// installs ffmpeg) its absence is a failure.
func TestPartnerRoomSeededVideo(t *testing.T) {
	env := roomEnv(t)
	var id, vid int64
	err := env.Store.Pool.QueryRow(t.Context(), `SELECT r.id, r.current_version_id FROM resources r JOIN organizations o ON o.id = r.organization_id
		WHERE o.slug = 'acme' AND r.title = 'Product tour video'`).Scan(&id, &vid)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the seeded WebM resource is missing under CI (is ffmpeg installed?): %v", err)
		}
		if _, lerr := exec.LookPath("ffmpeg"); lerr != nil {
			t.Skip("ffmpeg is not installed: the seed skips its video")
		}
		t.Fatalf("ffmpeg is installed but the seeded WebM resource is missing: %v", err)
	}
	var key, mime string
	var size int64
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT storage_key, mime, size_bytes FROM resource_versions WHERE id = $1", vid).Scan(&key, &mime, &size); err != nil {
		t.Fatal(err)
	}
	f, err := env.Files.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, media.SniffLen)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if got := media.Sniff(head[:n]); got != "video/webm" || mime != "video/webm" || size < 1000 || size > 1<<20 {
		t.Fatalf("stored file sniffs as %q, recorded %q, %d bytes", got, mime, size)
	}
	partner := signedIn(t, env, "admin@globex.test")
	page := partner.Get(fmt.Sprintf("/partner-room/%d", id))
	src, _ := page.Doc.Find("#preview video source").Attr("src")
	if page.StatusCode != 200 || src != fmt.Sprintf("/partner-room/%d/versions/%d/file?inline=1", id, vid) {
		t.Fatalf("page: %d, player source %q", page.StatusCode, src)
	}
	rg := partner.Do("GET", src, nil, map[string]string{"Range": "bytes=100-199"})
	if rg.StatusCode != http.StatusPartialContent || len(rg.Body) != 100 || rg.Header.Get("Content-Type") != "video/webm" ||
		rg.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", size) {
		t.Fatalf("range: %d, %d bytes, %q, %q", rg.StatusCode, len(rg.Body), rg.Header.Get("Content-Type"), rg.Header.Get("Content-Range"))
	}
	checkFileHeaders(t, rg, "inline", "product-tour.webm")
}
