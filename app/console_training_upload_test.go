package app_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/storage"
)

// testMP4 is an MP4 of about size bytes: a real one made by ffmpeg when it
// is installed (else a bare ftyp box), padded with a "free" box, which
// players skip.
func testMP4(t *testing.T, size int) []byte {
	t.Helper()
	var b []byte
	if ffmpeg, err := exec.LookPath("ffmpeg"); err == nil {
		out := filepath.Join(t.TempDir(), "lesson.mp4")
		cmd := exec.Command(ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x180:rate=15",
			"-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v %s", err, msg)
		}
		if b, err = os.ReadFile(out); err != nil {
			t.Fatal(err)
		}
	} else {
		b = append([]byte{0, 0, 0, 0x18}, "ftypisom\x00\x00\x02\x00isomiso2"...)
	}
	if pad := size - len(b); pad > 8 {
		free := make([]byte, pad)
		binary.BigEndian.PutUint32(free, uint32(pad))
		copy(free[4:], "free")
		b = append(b, free...)
	}
	return b
}

// postLesson sends a lesson form as a browser does: multipart, the CSRF
// token as the first field (no header), then the text, then the files.
func postLesson(t *testing.T, c *apptest.Client, path, csrf string, fields map[string]string, files map[string][2][]byte) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("_csrf", csrf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, field := range []string{"video", "attachment"} {
		if f, ok := files[field]; ok {
			fw, _ := w.CreateFormFile(field, string(f[0]))
			_, _ = fw.Write(f[1])
		}
	}
	_ = w.Close()
	return c.DoBody(http.MethodPost, path, &b, map[string]string{"Content-Type": w.FormDataContentType()})
}

// storedFiles counts the files kept under a course's folder.
func storedFiles(t *testing.T, env *apptest.Env, org, course int64) int {
	t.Helper()
	local, ok := env.Files.(*storage.Local)
	if !ok {
		t.Fatalf("file store %T", env.Files)
	}
	n := 0
	dir := filepath.Join(local.Dir, "org", fmt.Sprint(org), "training", "courses", fmt.Sprint(course))
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// Lesson videos and attachments are not bound by the 2 MB body limit: they
// stream to storage, sniffed, up to UPLOAD_MAX_BYTES, and play with ranges.
func TestLessonVideoUploadStreams(t *testing.T) {
	env := trainingEnv(t)
	staff := signedIn(t, env, "staff@acme.test")
	globex := signedIn(t, env, "admin@globex.test")
	course := courseID(t, env, "Acme Cloud Fundamentals")
	org := queryInt(t, env, "SELECT organization_id FROM courses WHERE id = $1", course)
	edit := fmt.Sprintf("/console/training/courses/%d", course)
	lessons := func() int64 { return queryInt(t, env, "SELECT count(*) FROM lessons WHERE course_id = $1", course) }
	before := lessons()

	video := testMP4(t, 5<<20)                                                  // 5 MB: more than the 2 MB body limit
	att := bytes.Repeat([]byte("Partner price list, line by line.\n"), 100_000) // 3.4 MB
	r := postLesson(t, staff, edit+"/lessons", staff.CSRF(), map[string]string{"title": "Product tour", "body": "Watch the tour."},
		map[string][2][]byte{"video": {[]byte("tour.mp4"), video}, "attachment": {[]byte("prices.txt"), att}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("5 MB video: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	var lesson int64
	var vtype string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT id, video_type FROM lessons WHERE course_id = $1 AND title = 'Product tour'", course).Scan(&lesson, &vtype); err != nil {
		t.Fatal(err)
	}
	if vtype != "video/mp4" {
		t.Errorf("video type %q", vtype)
	}
	// The partner's player asks for ranges: 206 with those bytes.
	path := fmt.Sprintf("/training/courses/%d/lessons/%d/video", course, lesson)
	rg := globex.Do(http.MethodGet, path, nil, map[string]string{"Range": "bytes=4096-8191"})
	if rg.StatusCode != http.StatusPartialContent || rg.Body != string(video[4096:8192]) ||
		rg.Header.Get("Content-Range") != fmt.Sprintf("bytes 4096-8191/%d", len(video)) || rg.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("range: %d %q %q (%d bytes)", rg.StatusCode, rg.Header.Get("Content-Range"), rg.Header.Get("Content-Type"), len(rg.Body))
	}
	if full := globex.Get(path); full.StatusCode != 200 || full.Body != string(video) {
		t.Errorf("whole video: %d, %d of %d bytes", full.StatusCode, len(full.Body), len(video))
	}
	if a := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d/attachment", course, lesson)); a.StatusCode != 200 || a.Body != string(att) {
		t.Errorf("attachment: %d, %d of %d bytes", a.StatusCode, len(a.Body), len(att))
	}
	if page := globex.Get(fmt.Sprintf("/training/courses/%d/lessons/%d", course, lesson)); page.Doc.Find("video#lesson-video").Length() != 1 {
		t.Errorf("lesson page without the player: %s", page.Doc.Find("article").Text())
	}
	files := storedFiles(t, env, org, course)

	// Editing the lesson replaces its video, on the same streamed path.
	r = postLesson(t, staff, fmt.Sprintf("%s/lessons/%d", edit, lesson), staff.CSRF(), map[string]string{"title": "Product tour, v2", "body": "New cut."},
		map[string][2][]byte{"video": {[]byte("tour2.mp4"), testMP4(t, 3<<20)}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit with a 3 MB video: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	if got := globex.Get(path); len(got.Body) < 3<<20-16 {
		t.Errorf("replaced video: %d bytes", len(got.Body))
	}
	files = storedFiles(t, env, org, course)

	// Over the configured limit: 413, the limit named in place, nothing kept.
	env.Config.UploadMaxBytes = 2 << 20
	r = postLesson(t, staff, edit+"/lessons", staff.CSRF(), map[string]string{"title": "Too big"},
		map[string][2][]byte{"video": {[]byte("big.mp4"), testMP4(t, 4<<20)}})
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Doc.Find("#lesson_video-error").Text(), "larger than 2.0 MB") {
		t.Errorf("over the limit: %d %q", r.StatusCode, r.Doc.Find("#lesson_video-error").Text())
	}
	r = postLesson(t, staff, fmt.Sprintf("%s/lessons/%d", edit, lesson), staff.CSRF(), map[string]string{"title": "Too big"},
		map[string][2][]byte{"attachment": {[]byte("big.txt"), att}})
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Doc.Find("#attachment-error").Text(), "larger than") {
		t.Errorf("attachment over the limit: %d %q", r.StatusCode, r.Doc.Find("#attachment-error").Text())
	}
	env.Config.UploadMaxBytes = 100 << 20
	// Not a video, whatever its name: 422.
	r = postLesson(t, staff, edit+"/lessons", staff.CSRF(), map[string]string{"title": "Fake"},
		map[string][2][]byte{"video": {[]byte("fake.mp4"), append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...)}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Doc.Find("#lesson_video-error").Text(), "not an MP4 or WebM video") {
		t.Errorf("pdf as video: %d %q", r.StatusCode, r.Doc.Find("#lesson_video-error").Text())
	}
	// A valid video with a refused field: the stored video is deleted again.
	r = postLesson(t, staff, edit+"/lessons", staff.CSRF(), map[string]string{"title": ""},
		map[string][2][]byte{"video": {[]byte("tour.mp4"), video}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.Doc.Find("#lesson_title-error").Length() != 1 {
		t.Errorf("no title: %d", r.StatusCode)
	}
	// A wrong CSRF token: refused before anything is stored (and the rest of
	// a forged body is not read: this one is small enough to be buffered).
	r = postLesson(t, staff, edit+"/lessons", "wrong-token", map[string]string{"title": "Forged"},
		map[string][2][]byte{"video": {[]byte("tour.mp4"), video[:32<<10]}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("bad csrf: %d", r.StatusCode)
	}
	if n := lessons(); n != before+1 {
		t.Errorf("refused forms saved lessons: %d → %d", before, n)
	}
	if n := storedFiles(t, env, org, course); n != files {
		t.Errorf("refused forms left files: %d → %d", files, n)
	}
	// A lesson form without files may still come URL-encoded.
	if r := staff.Post(edit+"/lessons", map[string][]string{"title": {"Text only"}, "body": {"No video."}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("url-encoded lesson: %d", r.StatusCode)
	}
}

// A 150 MB lesson video streams through the portal: the process's peak RSS
// does not grow by anything near the file's size.
func TestLessonVideo150MBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 150 MB")
	}
	env := trainingEnv(t)
	env.Config.UploadMaxBytes = 300 << 20
	staff := signedIn(t, env, "staff@acme.test")
	course := courseID(t, env, "Acme Cloud Fundamentals")
	const size = 150 << 20
	before := vmHWM(t)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("_csrf", staff.CSRF())
		_ = mw.WriteField("title", "Big video")
		fw, _ := mw.CreateFormFile("video", "big.mp4")
		head := append([]byte{0, 0, 0, 0x18}, "ftypisom\x00\x00\x02\x00isomiso2"...)
		free := make([]byte, 8)
		binary.BigEndian.PutUint32(free, uint32(size-len(head)))
		copy(free[4:], "free")
		_, _ = fw.Write(append(head, free...))
		zeros := make([]byte, 64<<10)
		for n := int64(len(head) + 8); n < size; {
			chunk := zeros[:min(int64(len(zeros)), size-n)]
			if _, err := fw.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
			n += int64(len(chunk))
		}
		pw.CloseWithError(mw.Close())
	}()
	r := staff.DoBody(http.MethodPost, fmt.Sprintf("/console/training/courses/%d/lessons", course), pr,
		map[string]string{"Content-Type": mw.FormDataContentType()})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("150 MB video: %d %s", r.StatusCode, r.Doc.Find("form").Text())
	}
	var key string
	if err := env.Store.Pool.QueryRow(t.Context(), "SELECT video_key FROM lessons WHERE course_id = $1 AND title = 'Big video'", course).Scan(&key); err != nil {
		t.Fatal(err)
	}
	info, err := env.Files.Stat(t.Context(), key)
	if err != nil || info.Size != size {
		t.Fatalf("stored %d bytes, %v", info.Size, err)
	}
	after := vmHWM(t)
	t.Logf("peak RSS of the test process: %.0f MB before, %.0f MB after the 150 MB lesson video", before, after)
	if after-before > 100 {
		t.Errorf("peak RSS grew by %.0f MB for a 150 MB video: something holds it in memory", after-before)
	}
}
