package app_test

// Partner Room figures (docs/BENCHMARKS.md, "Partner Room"). They never
// assert a timing; they report:
//
//	ROOM_BENCH=1 go test ./app -run '^$' -bench 'Room' -benchtime 1x -count 1
//
// BenchmarkRoomSearch50k: 50,000 resources (with extracted text) in one
// organization; the whole search request on loopback, as a partner, p50/p95/p99.
// BenchmarkRoomDownload100MB: a 100 MB file through the portal's download
// route vs a bare net/http file server on the same file, in the same run.
// Without ROOM_BENCH both skip.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerportal/app/apptest"
	"partnerportal/app/resource"
	"partnerportal/app/storage"
)

func roomBench(b *testing.B) {
	if os.Getenv("ROOM_BENCH") == "" {
		b.Skip("set ROOM_BENCH=1 to run the Partner Room benchmarks (docs/BENCHMARKS.md)")
	}
}

// vocabulary is the words the generated resources are written in.
func vocabulary(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		for range 4 + rng.IntN(6) {
			sb.WriteByte(letters[rng.IntN(26)])
		}
		out[i] = sb.String()
	}
	return out
}

func BenchmarkRoomSearch50k(b *testing.B) {
	roomBench(b)
	env := noAgreementsEnvB(b)
	words := vocabulary(2000)
	start := time.Now()
	ctx := context.Background()
	// Five categories; 50,000 resources with a 25-word description and 150
	// words of extracted text each (one in five for the Premium tier only),
	// ten with a rare word in the description and twenty with a word that
	// is only in their extracted text (as a PDF's would be).
	_, err := env.Store.Pool.Exec(ctx, `
INSERT INTO resource_categories (organization_id, name, position, created_at)
SELECT o.id, 'Category ' || i, i, now() FROM organizations o, generate_series(1, 5) i WHERE o.slug = 'acme'`)
	if err != nil {
		b.Fatal(err)
	}
	_, err = env.Store.Pool.Exec(ctx, `
INSERT INTO resources (organization_id, category_id, title, description, tags, visibility, featured, body_text, created_at, updated_at)
SELECT o.id, (SELECT c.id FROM resource_categories c WHERE c.organization_id = o.id AND c.position = 1 + i % 5),
       'Resource ' || i || ' ' || ($1::text[])[1 + (i * 7) % 2000],
       (SELECT string_agg(($1::text[])[1 + floor(random() * 2000)::int], ' ') FROM generate_series(1, 25) g WHERE i > 0)
         || CASE WHEN i % 5000 = 1 THEN ' zephyrine' ELSE '' END,
       ARRAY[($1::text[])[1 + (i * 13) % 2000]],
       CASE WHEN i % 5 = 0 THEN 'tiers' ELSE 'all' END, i % 97 = 0,
       (SELECT string_agg(($1::text[])[1 + floor(random() * 2000)::int], ' ') FROM generate_series(1, 150) g WHERE i > 0)
         || CASE WHEN i % 2500 = 2 THEN ' quokkaware' ELSE '' END,
       now() - make_interval(mins => i), now()
FROM organizations o, generate_series(1, 50000) i WHERE o.slug = 'acme'`, words)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(ctx, `
INSERT INTO resource_tiers (organization_id, resource_id, tier_id)
SELECT r.organization_id, r.id, t.id FROM resources r JOIN tiers t ON t.organization_id = r.organization_id AND t.name = 'Premium'
WHERE r.visibility = 'tiers'`); err != nil {
		b.Fatal(err)
	}
	for _, tbl := range []string{"resources", "resource_tiers"} {
		if _, err := env.Store.Pool.Exec(ctx, "VACUUM ANALYZE "+tbl); err != nil {
			b.Fatal(err)
		}
	}
	var cats []int64
	rows, err := env.Store.Pool.Query(ctx, "SELECT c.id FROM resource_categories c JOIN organizations o ON o.id = c.organization_id WHERE o.slug = 'acme' ORDER BY c.position")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		cats = append(cats, id)
	}
	b.Logf("50,000 resources loaded in %s", time.Since(start).Round(time.Second))
	c := signedInTB(b, env, "admin@globex.test")
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string { return words[rng.IntN(len(words))] }
	// The kinds of request measured, each its own p50/p95; they are sent
	// in turn (one of each, again and again) so all see the same load.
	kinds := []struct {
		name string
		path func() string
	}{
		{"common word", func() string { return "/partner-room?q=" + url.QueryEscape(word()) }},
		{"two words, phrase or -word", func() string {
			switch rng.IntN(3) {
			case 0:
				return "/partner-room?q=" + url.QueryEscape(word()+" "+word())
			case 1:
				return "/partner-room?q=" + url.QueryEscape(`"`+word()+`"`)
			}
			return "/partner-room?q=" + url.QueryEscape(word()+" -"+word())
		}},
		{"rare word", func() string { return "/partner-room?q=zephyrine" }},
		{"word only inside the files", func() string { return "/partner-room?q=quokkaware" }},
		{"common word + category", func() string {
			return fmt.Sprintf("/partner-room?q=%s&category=%d", url.QueryEscape(word()), cats[rng.IntN(len(cats))])
		}},
		{"common word + tag", func() string {
			return "/partner-room?q=" + url.QueryEscape(word()) + "&tag=" + url.QueryEscape(word())
		}},
		{"no search (page 1 or 40)", func() string {
			if rng.IntN(2) == 0 {
				return "/partner-room"
			}
			return "/partner-room?page=40"
		}},
	}
	// Warm up (connections, plans, caches) before measuring.
	for range 3 {
		for _, k := range kinds {
			c.Get(k.path())
		}
	}
	const rounds = 60
	lat := make([][]time.Duration, len(kinds))
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		for range rounds {
			for i, k := range kinds {
				p := k.path()
				t0 := time.Now()
				r := c.Get(p)
				d := time.Since(t0)
				lat[i] = append(lat[i], d)
				all = append(all, d)
				if r.StatusCode != 200 || r.Doc.Find("#room-results").Length() != 1 {
					b.Fatalf("%s: %d", p, r.StatusCode)
				}
				if (k.name == "rare word" || k.name == "word only inside the files") && r.Doc.Find("#room-results mark").Length() == 0 {
					b.Fatalf("%s: nothing highlighted", p)
				}
			}
		}
	}
	b.StopTimer()
	pct := func(lat []time.Duration, p float64) float64 {
		s := slices.Clone(lat)
		slices.Sort(s)
		return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
	}
	for i, k := range kinds {
		b.Logf("%-28s p50 %6.1f ms  p95 %6.1f ms  (%d requests)", k.name, pct(lat[i], 0.5), pct(lat[i], 0.95), len(lat[i]))
	}
	b.ReportMetric(pct(all, 0.50), "p50-ms")
	b.ReportMetric(pct(all, 0.95), "p95-ms")
	b.ReportMetric(pct(all, 0.99), "p99-ms")
	b.Logf("all %d requests: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms", len(all), pct(all, 0.5), pct(all, 0.95), pct(all, 0.99))
}

func noAgreementsEnvB(b *testing.B) *apptest.Env {
	env := apptest.NewEnv(b)
	if _, err := env.Store.Pool.Exec(context.Background(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		b.Fatal(err)
	}
	return env
}

// bigUpload streams a multipart upload of size bytes of text (nothing held
// in memory) and returns the SHA-256 of the file's bytes.
func bigUpload(tb testing.TB, env *apptest.Env, c *apptest.Client, size int64) (string, int) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	h := sha256.New()
	go func() {
		_ = mw.WriteField("_csrf", c.CSRF())
		_ = mw.WriteField("title", "Big file")
		fw, _ := mw.CreateFormFile("file", "big.txt")
		line := []byte("The quick brown fox jumps over the lazy dog, again and again and again.\n")
		buf := []byte(strings.Repeat(string(line), (64<<10)/len(line)))
		var n int64
		for n < size {
			chunk := buf
			if rest := size - n; rest < int64(len(chunk)) {
				chunk = chunk[:rest]
			}
			if _, err := fw.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
			h.Write(chunk)
			n += int64(len(chunk))
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/console/resources", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return hex.EncodeToString(h.Sum(nil)), res.StatusCode
}

// vmHWM is the process's peak resident set size in MB (Linux).
func vmHWM(tb testing.TB) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// A 200 MB upload and its download stream: the process that runs the web
// tier (and, here, the worker and the client too) does not grow by anything
// like the file's size.
func TestPartnerRoomUpload200MBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 200 MB")
	}
	env := noAgreementsEnv(t)
	env.Config.UploadMaxBytes = 300 << 20
	staff := signedIn(t, env, "staff@acme.test")
	before := vmHWM(t)
	t0 := time.Now()
	sum, status := bigUpload(t, env, staff, 200<<20)
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d", status)
	}
	upTime := time.Since(t0)
	id := resourceIDByTitle(t, env, "acme", "Big file")
	vid := currentVersion(t, env, id)
	afterUpload := vmHWM(t)
	// Download through the portal as a partner, hashing as it streams.
	partner := signedIn(t, env, "admin@globex.test")
	req, _ := http.NewRequest("GET", env.URL+fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid), nil)
	for _, ck := range partner.Cookies() {
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, res.Body)
	res.Body.Close()
	if err != nil || n != 200<<20 || hex.EncodeToString(h.Sum(nil)) != sum {
		t.Fatalf("download: %d bytes, %v, hash equal %v", n, err, hex.EncodeToString(h.Sum(nil)) == sum)
	}
	after := vmHWM(t)
	t.Logf("peak RSS of the test process (web tier + worker + client): %.0f MB before, %.0f MB after the 200 MB upload (%s), %.0f MB after its download", before, afterUpload, upTime.Round(time.Millisecond), after)
	if after-before > 100 {
		t.Errorf("peak RSS grew by %.0f MB for a 200 MB file: something holds it in memory", after-before)
	}
}

func BenchmarkRoomDownload100MB(b *testing.B) {
	roomBench(b)
	env := noAgreementsEnvB(b)
	env.Config.UploadMaxBytes = 200 << 20
	staff := signedInTB(b, env, "staff@acme.test")
	const size = 100 << 20
	sum, status := bigUpload(b, env, staff, size)
	if status != http.StatusSeeOther {
		b.Fatalf("upload: %d", status)
	}
	id := resourceIDByTitle(b, env, "acme", "Big file")
	vid := currentVersion(b, env, id)
	partner := signedInTB(b, env, "admin@globex.test")
	portalURL := env.URL + fmt.Sprintf("/partner-room/%d/versions/%d/file", id, vid)

	// The bare server: net/http serving the same stored file from disk.
	local, ok := env.Files.(*storage.Local)
	if !ok {
		b.Skip("needs the local store")
	}
	var key string
	if err := env.Store.Pool.QueryRow(context.Background(), "SELECT storage_key FROM resource_versions WHERE id = $1", vid).Scan(&key); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(local.Dir, filepath.FromSlash(key))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) })}
	go func() { _ = bare.Serve(ln) }()
	b.Cleanup(func() { _ = bare.Close() })
	bareURL := "http://" + ln.Addr().String() + "/file"

	get := func(b *testing.B, u string, cookies []*http.Cookie) {
		req, _ := http.NewRequest("GET", u, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != size || res.StatusCode != 200 {
			b.Fatalf("%s: %d bytes, %d, %v", u, n, res.StatusCode, err)
		}
	}
	// Interleaved, many rounds, so both see the same machine state (the
	// machine is shared: single rounds swing by 2×); the ratio is of the
	// total time of each.
	var tBare, tPortal time.Duration
	b.ResetTimer()
	for range b.N {
		for range 10 {
			t0 := time.Now()
			get(b, bareURL, nil)
			tBare += time.Since(t0)
			t0 = time.Now()
			get(b, portalURL, partner.Cookies())
			tPortal += time.Since(t0)
		}
	}
	b.StopTimer()
	mb := float64(size) / (1 << 20) * float64(b.N*10)
	b.ReportMetric(mb/tBare.Seconds(), "bare-MB/s")
	b.ReportMetric(mb/tPortal.Seconds(), "portal-MB/s")
	b.ReportMetric(tBare.Seconds()/tPortal.Seconds(), "portal/bare")
	_ = sum
}

var _ = resource.Size
