package main

// End-to-end tests of the binary's subcommands, run as a real process.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerportal/app/apptest"
	"partnerportal/app/secret"
)

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// emptyDatabase creates a database with nothing in it and returns its URL.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	name := "pp_main_" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(secret.New()[:12]))
	admin, err := pgx.Connect(ctx, apptest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), apptest.AdminURL())
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	u := apptest.AdminURL()
	i := strings.LastIndex(u, "/")
	return u[:i+1] + name + "?sslmode=disable"
}

func run(t *testing.T, bin string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// snapshot is a fingerprint of every demo table's contents.
func snapshot(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var b strings.Builder
	for _, table := range []string{"organizations", "tiers", "partners", "users", "agreements", "agreement_versions", "leads", "tracking_links"} {
		var n int
		var sum string
		if err := c.QueryRow(ctx, fmt.Sprintf("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM %s t", table)).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d:%s ", table, n, sum)
	}
	return b.String()
}

func TestMigrateAndSeedAreIdempotent(t *testing.T) {
	bin := buildBinary(t)
	env := []string{"DATABASE_URL=" + emptyDatabase(t)}
	for range 2 {
		if out, err := run(t, bin, env, "migrate"); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
	}
	if out, err := run(t, bin, env, "seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	first := snapshot(t, strings.TrimPrefix(env[0], "DATABASE_URL="))
	if !strings.Contains(first, "users=6") || strings.Contains(first, "leads=0:") {
		t.Fatalf("demo data incomplete: %s", first)
	}
	if out, err := run(t, bin, env, "seed"); err != nil {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
	if second := snapshot(t, strings.TrimPrefix(env[0], "DATABASE_URL=")); second != first {
		t.Fatalf("second seed changed data:\n%s\n%s", first, second)
	}
}

func TestBadConfigurationStopsWithMessage(t *testing.T) {
	bin := buildBinary(t)
	out, err := run(t, bin, []string{"BASE_URL=not a url"}, "web")
	if err == nil || !strings.Contains(out, "BASE_URL") {
		t.Fatalf("web with a bad BASE_URL: err=%v\n%s", err, out)
	}
	out, err = run(t, bin, []string{"SMTP_URL="}, "worker")
	if err == nil || !strings.Contains(out, "SMTP_URL is not set") {
		t.Fatalf("worker without SMTP_URL: err=%v\n%s", err, out)
	}
	out, err = run(t, bin, nil, "worker", "--concurrency", "0")
	if err == nil || !strings.Contains(out, "concurrency") {
		t.Fatalf("worker --concurrency 0: err=%v\n%s", err, out)
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestWebDrainsAndStopsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	dbURL := emptyDatabase(t)
	if out, err := run(t, bin, []string{"DATABASE_URL=" + dbURL}, "seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	addr := freePort(t)
	cmd := exec.Command(bin, "web")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "ADDR="+addr, "REDIS_URL=redis://127.0.0.1:6379/15")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := http.Get("http://" + addr + "/readyz")
		if err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("web never became ready:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A request in flight when SIGTERM arrives still gets its answer.
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	// Send the request line and headers slowly: the server is mid-request.
	fmt.Fprintf(conn, "GET /login HTTP/1.1\r\nHost: %s\r\n", addr)
	go func() {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(conn, "Connection: close\r\n\r\n")
		buf := make([]byte, 64)
		n, err := conn.Read(buf)
		code := 0
		fmt.Sscanf(string(buf[:n]), "HTTP/1.1 %d", &code)
		done <- result{code, err}
	}()
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 200 {
		t.Fatalf("in-flight request during shutdown: code %d err %v\n%s", r.code, r.err, out.String())
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("web exited with %v\n%s", err, out.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("web did not stop after SIGTERM\n%s", out.String())
	}
	if !strings.Contains(out.String(), "draining") {
		t.Fatalf("no drain logged:\n%s", out.String())
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still answering after shutdown")
	}
}

// A web process started while Redis is down serves anyway: sign-in requests
// wait in PostgreSQL for the login sweep.
func TestWebStartsAndSignsInWithoutRedis(t *testing.T) {
	bin := buildBinary(t)
	dbURL := emptyDatabase(t)
	if out, err := run(t, bin, []string{"DATABASE_URL=" + dbURL}, "seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	addr, noRedis := freePort(t), freePort(t) // nothing listens on the second
	cmd := exec.Command(bin, "web")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "ADDR="+addr, "REDIS_URL=redis://"+noRedis+"/0",
		"BASE_URL=http://"+addr)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := hc.Get("http://" + addr + "/login")
		if err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("web did not serve without Redis:\n%s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	u, _ := url.Parse("http://" + addr)
	var csrf string
	for _, c := range jar.Cookies(u) {
		if c.Name == "csrf" {
			csrf = c.Value
		}
	}
	r, err := hc.PostForm("http://"+addr+"/login", url.Values{"email": {"admin@globex.test"}, "_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(body), `id="link-sent"`) {
		t.Fatalf("POST /login without Redis: %d\n%s\n%s", r.StatusCode, body, out.String())
	}
	c, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), "SELECT count(*) FROM login_requests WHERE email = 'admin@globex.test' AND enqueued_at IS NULL").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d kept sign-in requests (%v), want 1", n, err)
	}
}
