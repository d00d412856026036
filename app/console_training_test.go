package app_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"partnerportal/app/apptest"
)

// postMultipart sends a multipart form with files (field → name, bytes).
func postMultipart(t *testing.T, env *apptest.Env, c *apptest.Client, path string, fields map[string]string, files map[string][2]string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.CSRF())
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for field, f := range files {
		w, _ := mw.CreateFormFile(field, f[0])
		_, _ = w.Write([]byte(f[1]))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", env.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF())
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
	return &apptest.Response{Response: res, Body: string(b), Doc: doc}
}

func coverPNG() string {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.String()
}

// A minimal WebM header (EBML magic + DocType webm) is what sniffing needs.
const tinyWebM = "\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x02\x42\x85\x81\x02"

func TestConsoleTrainingAuthoring(t *testing.T) {
	env := trainingEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	globex := signedIn(t, env, "admin@globex.test")
	// Partners never see the console.
	if r := globex.Get("/console/training"); r.StatusCode != 404 {
		t.Errorf("partner opens the console: %d", r.StatusCode)
	}
	// Bad input: 422, field errors in place, nothing saved.
	before := queryInt(t, env, "SELECT count(*) FROM courses")
	r := staff.Post("/console/training/courses", url.Values{"title": {""}, "bonus": {"-3"}, "currency": {"USD"}, "pass_mark": {"140"}, "visibility": {"tiers"}})
	if r.StatusCode != 422 || r.Doc.Find("#title-error").Length() != 1 || r.Doc.Find("#pass_mark-error").Length() != 1 || r.Doc.Find("#tier-error").Length() != 1 {
		t.Errorf("bad course: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	if queryInt(t, env, "SELECT count(*) FROM courses") != before {
		t.Fatal("a refused course was saved")
	}
	r = staff.Post("/console/training/courses", url.Values{"title": {"Channel Basics"}, "summary": {"How the channel works"}, "topic": {"Program"},
		"minutes": {"15"}, "visibility": {"all"}, "pass_mark": {"50"}, "cooldown": {"10"}, "valid_months": {"6"}, "bonus": {"25"}, "currency": {"USD"}})
	if r.StatusCode != 303 {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	course := courseID(t, env, "Channel Basics")
	edit := fmt.Sprintf("/console/training/courses/%d", course)
	if r := staff.Post(edit+"/status", url.Values{"status": {"published"}}); r.StatusCode != 422 {
		t.Errorf("published without lessons: %d", r.StatusCode)
	}
	// A lesson with a sniffed WebM, another with an embed; a fake video is refused.
	if r := postMultipart(t, env, staff, edit+"/lessons", map[string]string{"title": "Bad video", "body": "x"}, map[string][2]string{"video": {"clip.webm", "<html>not a video</html>"}}); r.StatusCode != 422 || !strings.Contains(r.Body, "MP4 or WebM") {
		t.Errorf("fake video: %d", r.StatusCode)
	}
	if r := postMultipart(t, env, staff, edit+"/lessons", map[string]string{"title": "Intro", "body": "Read [the guide](https://acme.test/guide) <script>alert(1)</script>"},
		map[string][2]string{"video": {"intro.webm", tinyWebM}, "attachment": {"notes.html", "<script>alert(1)</script>"}}); r.StatusCode != 303 {
		t.Fatalf("lesson with video: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	if r := staff.Post(edit+"/lessons", url.Values{"title": {"Evil embed"}, "embed": {"https://evil.test/x"}}); r.StatusCode != 422 {
		t.Errorf("evil embed: %d", r.StatusCode)
	}
	if r := staff.Post(edit+"/lessons", url.Values{"title": {"Demo"}, "body": {"Watch it."}, "embed": {"https://www.youtube.com/watch?v=dQw4w9WgXcQ"}}); r.StatusCode != 303 {
		t.Fatalf("embed lesson: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	if r := postMultipart(t, env, staff, edit+"/cover", nil, map[string][2]string{"cover": {"cover.png", coverPNG()}}); r.StatusCode != 303 {
		t.Errorf("cover: %d", r.StatusCode)
	}
	if r := staff.Post(edit+"/questions", url.Values{"prompt": {"Pick two"}, "options": {"*a\nb\n*c"}}); r.StatusCode != 422 {
		t.Errorf("single choice with two correct: %d", r.StatusCode)
	}
	staff.Post(edit+"/questions", url.Values{"prompt": {"Who registers the lead?"}, "options": {"*The partner\nThe customer"}})
	if r := staff.Post(edit+"/status", url.Values{"status": {"published"}}); r.StatusCode != 303 {
		t.Fatalf("publish: %d", r.StatusCode)
	}
	if v := queryInt(t, env, "SELECT version FROM courses WHERE id = $1", course); v != 1 {
		t.Errorf("version %d after publish", v)
	}
	// The partner takes the first lesson; the page has the video, a safe link, no script.
	ls := lessonIDs(t, env, course)
	page := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d", course, ls[0]))
	if page.Doc.Find("video#lesson-video").Length() != 1 || strings.Contains(page.Body, "<script>alert") {
		t.Errorf("lesson page: %s", page.Doc.Find("article").Text())
	}
	if rel, _ := page.Doc.Find(".lesson-body a").Attr("rel"); !strings.Contains(rel, "noopener") {
		t.Errorf("link rel %q", rel)
	}
	vid := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d/video", course, ls[0]))
	if vid.StatusCode != 200 || vid.Header.Get("Content-Type") != "video/webm" {
		t.Errorf("video: %d %s", vid.StatusCode, vid.Header.Get("Content-Type"))
	}
	att := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d/attachment", course, ls[0]))
	if att.StatusCode != 200 || !strings.HasPrefix(att.Header.Get("Content-Disposition"), "attachment") || strings.Contains(att.Header.Get("Content-Type"), "html") {
		t.Errorf("attachment served as %s / %s", att.Header.Get("Content-Type"), att.Header.Get("Content-Disposition"))
	}
	embed := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d", course, ls[1]))
	if csp := embed.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src https://www.youtube-nocookie.com") {
		t.Errorf("embed page CSP %q", csp)
	}
	if csp := page.Header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-src") {
		t.Errorf("a page without embed allows frames: %q", csp)
	}
	if globex.Get(fmt.Sprintf("/training/courses/%d/cover", course)).Header.Get("Content-Type") != "image/jpeg" {
		t.Error("cover not re-encoded to JPEG")
	}
	globex.Post(fmt.Sprintf("/training/courses/%d/lessons/%d/done", course, ls[0]), nil)
	// Editing the published course: a new version; progress on the kept lesson stays.
	staff.Post(fmt.Sprintf("%s/lessons/%d/remove", edit, ls[1]), nil)
	staff.Post(edit+"/lessons", url.Values{"title": {"Wrap-up"}, "body": {"Done."}})
	if v := queryInt(t, env, "SELECT version FROM courses WHERE id = $1", course); v < 2 {
		t.Errorf("version %d after editing a published course", v)
	}
	cp := globex.Get(fmt.Sprintf("/training/courses/%d", course))
	if !strings.Contains(cp.Doc.Find("label[for=course-progress]").Text(), "1 of 2 lessons done") {
		t.Errorf("progress after the edit: %q", cp.Doc.Find("main").Text())
	}
	// Move the new lesson up.
	ls2 := lessonIDs(t, env, course)
	staff.Post(fmt.Sprintf("%s/lessons/%d/move", edit, ls2[1]), url.Values{"dir": {"up"}})
	if got := lessonIDs(t, env, course); got[0] != ls2[1] {
		t.Errorf("move up: %v", got)
	}
	// Reports and CSV.
	csv := staff.Get("/console/training/reports.csv")
	if csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(csv.Body, "Globex Partners,Channel Basics,1,0") {
		t.Errorf("csv:\n%s", csv.Body)
	}
	if !strings.Contains(staff.Get("/console/training/reports").Doc.Find("#course-report").Text(), "Channel Basics") {
		t.Error("report lacks the course")
	}
	// Accreditation CRUD with bad input.
	if r := staff.Post("/console/training/accreditations", url.Values{"name": {""}, "holders": {"0"}}); r.StatusCode != 422 ||
		r.Doc.Find("#name-error").Length() != 1 || r.Doc.Find("#course-error").Length() != 1 {
		t.Errorf("bad accreditation: %d", r.StatusCode)
	}
	premium := queryInt(t, env, "SELECT id FROM tiers WHERE name = 'Premium' AND organization_id = (SELECT id FROM organizations WHERE slug='acme')")
	if r := staff.Post("/console/training/accreditations", url.Values{"name": {"Channel Pro"}, "course": {fmt.Sprint(course)}, "valid_months": {"12"},
		"bonus": {"100"}, "currency": {"USD"}, "per": {"person"}, "tier": {fmt.Sprint(premium)}, "holders": {"3"}}); r.StatusCode != 303 {
		t.Fatalf("accreditation: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	acc := queryInt(t, env, "SELECT id FROM accreditations WHERE name = 'Channel Pro'")
	if r := postMultipart(t, env, staff, fmt.Sprintf("/console/training/accreditations/%d/badge", acc), nil, map[string][2]string{"badge": {"b.png", coverPNG()}}); r.StatusCode != 303 {
		t.Errorf("badge: %d", r.StatusCode)
	}
	if r := globex.Get(fmt.Sprintf("/training/accreditations/%d/badge", acc)); r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("badge served as %s", r.Header.Get("Content-Type"))
	}
	// Initech staff cannot reach Acme's course.
	initech := signedIn(t, env, "staff@initech.test")
	if r := initech.Get(edit); r.StatusCode != 404 {
		t.Errorf("another organization's course: %d", r.StatusCode)
	}
	if r := initech.Post(edit+"/status", url.Values{"status": {"archived"}}); r.StatusCode != 404 {
		t.Errorf("another organization archived the course: %d", r.StatusCode)
	}
}

func TestConsoleRevokeCertificate(t *testing.T) {
	env := trainingEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	id := queryInt(t, env, "SELECT id FROM certificates WHERE course_title = 'Acme Cloud Fundamentals'")
	pub := queryText(t, env, "SELECT public_id FROM certificates WHERE id = $1", id)
	if r := staff.Post(fmt.Sprintf("/console/training/certificates/%d/revoke", id), url.Values{"reason": {""}}); r.StatusCode != 422 {
		t.Errorf("revoke without reason: %d", r.StatusCode)
	}
	initech := signedIn(t, env, "staff@initech.test")
	if r := initech.Post(fmt.Sprintf("/console/training/certificates/%d/revoke", id), url.Values{"reason": {"x"}}); r.StatusCode != 404 {
		t.Errorf("another organization revoked: %d", r.StatusCode)
	}
	if r := staff.Post(fmt.Sprintf("/console/training/certificates/%d/revoke", id), url.Values{"reason": {"Exam taken by someone else"}}); r.StatusCode != 303 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	v := env.Client(t).Get("/verify/" + pub)
	if v.Doc.Find("#verify-status").Text() != "Revoked certificate" || v.Doc.Find("#verify-reason").Text() != "Exam taken by someone else" || v.Doc.Find("#linkedin-add").Length() != 0 {
		t.Errorf("verify after revoke: %s", v.Doc.Find("main").Text())
	}
	if !strings.Contains(env.Client(t).Get("/verify/"+pub+".json").Body, `"status":"revoked"`) {
		t.Error("json does not say revoked")
	}
}
