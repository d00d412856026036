package app_test

// Scale-out, proven: the real binary as 2 web, 3 worker and 1 (then 2)
// scheduler processes on one PostgreSQL database and one Redis, behind a
// load balancer the test controls, with a browser journey across them.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"

	"partnerportal/app/apptest"
)

// proc is one portal process started by the test, with its log.
type proc struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	seen chan string // log lines, for waitLog
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// waitLog waits until the process has logged a line containing s.
func (p *proc) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.logText(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within 30s:\n%s", p.name, s, p.logText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type cluster struct {
	t     *testing.T
	bin   string
	env   []string
	mu    sync.Mutex
	procs []*proc
}

func (c *cluster) start(name string, env []string, args ...string) *proc {
	c.t.Helper()
	p := &proc{name: name}
	p.cmd = exec.Command(c.bin, args...)
	p.cmd.Env = append(append(os.Environ(), c.env...), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p
}

// stopAll ends every process still running: SIGTERM, then SIGKILL after 10 s.
func (c *cluster) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range c.procs {
		if p.cmd.ProcessState != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-done
			}
		}()
	}
	wg.Wait()
}

// balancer is the load balancer in front of the web processes: the test
// chooses which one serves the next requests, and it counts what each served.
type balancer struct {
	URL      string
	backends []*url.URL
	current  atomic.Int32
	served   []atomic.Int64
}

func newBalancer(t *testing.T, backends ...string) *balancer {
	b := &balancer{served: make([]atomic.Int64, len(backends))}
	for _, s := range backends {
		u, _ := url.Parse(s)
		b.backends = append(b.backends, u)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := b.current.Load()
		b.served[i].Add(1)
		r.SetURL(b.backends[i])
		r.Out.Host = r.In.Host // the portal sees its public host, as behind any proxy
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	b.URL = "http://" + ln.Addr().String()
	return b
}

func (b *balancer) use(i int) { b.current.Store(int32(i)) }

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var periodicDoneRe = regexp.MustCompile(`msg="periodic task done" type=(\S+) task_id=(\S+)`)

func TestScaleOut(t *testing.T) {
	chromiumPath(t)
	started := time.Now()
	root := apptest.Root(t)
	bin := filepath.Join(t.TempDir(), "portal")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("binary built in %s", time.Since(started).Round(time.Millisecond))
	started = time.Now()

	store := apptest.NewStore(t)
	if _, err := store.Pool.Exec(t.Context(), "UPDATE organizations SET agreements_enabled = false"); err != nil {
		t.Fatal(err)
	}
	rdb := apptest.NewRedis(t)
	inbox := apptest.NewInbox(t)
	webAddrs := []string{freeAddr(t), freeAddr(t)}
	lb := newBalancer(t, "http://"+webAddrs[0], "http://"+webAddrs[1])
	c := &cluster{t: t, bin: bin, env: []string{
		"DATABASE_URL=" + store.Pool.Config().ConnString(),
		fmt.Sprintf("REDIS_URL=redis://%s/%d", rdb.Options().Addr, rdb.Options().DB),
		"BASE_URL=" + lb.URL,
		"SMTP_URL=" + inbox.URL,
		"SMTP_FROM=Portal <no-reply@acme.test>",
		"LOG_LEVEL=info",
		"SHUTDOWN_TIMEOUT=3s",
		// One directory for every process (the shared volume of a real
		// deployment), outside the source tree: the default .data/files is
		// relative to the test's working directory, app/.
		"STORAGE_DIR=" + t.TempDir(),
	}}
	t.Cleanup(func() {
		c.stopAll()
		if t.Failed() {
			for _, p := range c.procs {
				t.Logf("---- log of %s ----\n%s", p.name, p.logText())
			}
		}
	})

	const period = 2 * time.Second
	webs := []*proc{
		c.start("web A", []string{"ADDR=" + webAddrs[0]}, "web"),
		c.start("web B", []string{"ADDR=" + webAddrs[1]}, "web"),
	}
	workers := []*proc{
		c.start("worker 1", nil, "worker", "--concurrency", "4"),
		c.start("worker 2", nil, "worker", "--concurrency", "4"),
		c.start("worker 3", nil, "worker", "--concurrency", "4"),
	}
	debug := []string{"LOG_LEVEL=debug"} // schedulers log each enqueue and refusal
	sched1 := c.start("scheduler 1", debug, "scheduler", "--every", period.String())
	for _, p := range webs {
		p.waitLog(t, "web listening")
	}
	for _, p := range workers {
		p.waitLog(t, "worker started")
	}
	sched1.waitLog(t, "scheduler started")
	t.Logf("6 processes up in %s", time.Since(started).Round(time.Millisecond))

	// The partner signs in through web A with the emailed link.
	env := &apptest.Env{URL: lb.URL, Inbox: inbox, Store: store}
	partner := newBrowser(t, env)
	lb.use(0)
	partner.signIn("user@northwind.test")
	if p := partner.path(); p != "/dashboard" {
		t.Fatalf("after signing in on web A the partner is at %s", p)
	}

	// Continues on web B with the same session.
	lb.use(1)
	before := lb.served[1].Load()
	partner.open("/dashboard/links")
	if p := partner.path(); p != "/dashboard/links" {
		t.Fatalf("web B sent the signed-in partner to %s", p)
	}
	if lb.served[1].Load() == before {
		t.Fatal("web B served nothing")
	}

	// While the journey goes on: a second scheduler starts, and a worker is
	// killed with SIGKILL. It is frozen first and killed only while no task
	// is active anywhere, so it provably holds none: a task it had taken
	// would wait for Asynq's lease recovery (30–90 s), longer than this test.
	sched2 := c.start("scheduler 2", debug, "scheduler", "--every", period.String())
	sched2.waitLog(t, "scheduler started")
	killed := workers[1]
	killFrozen(t, killed, rdb.Options().Addr, rdb.Options().DB)
	killedAt := time.Now()

	// A lead created on web A is seen on web B.
	lb.use(0)
	company := "Scaleout Dynamics"
	partner.open("/leads/new")
	partner.do(
		chromedp.WaitVisible(chromedp.ID("lead-form")),
		chromedp.SendKeys(chromedp.ID("company"), company),
		chromedp.SendKeys(chromedp.ID("domain"), "scaleout-dynamics.test"),
		chromedp.SendKeys(chromedp.ID("contact_name"), "Sam Scale"),
		chromedp.SendKeys(chromedp.ID("email"), "sam@scaleout-dynamics.test"),
		chromedp.Click(chromedp.CSS(`#lead-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("lead-company")),
	)
	leadPath := partner.path()
	lb.use(1)
	partner.open("/leads?q=Scaleout")
	if list := partner.text("main"); !strings.Contains(list, company) {
		t.Fatalf("web B's lead list does not show the lead created on web A:\n%s", list)
	}

	// Staff sign in and approve it on web B.
	staff := newBrowser(t, env)
	staff.signIn("staff@acme.test")
	var id int64
	if _, err := fmt.Sscanf(leadPath, "/leads/%d", &id); err != nil {
		t.Fatalf("lead path %q: %v", leadPath, err)
	}
	row := fmt.Sprintf("#lead-%d", id)
	staff.open("/console/leads")
	staff.do(chromedp.WaitVisible(chromedp.CSS(row)), chromedp.Click(chromedp.CSS(row+" button.approve")),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="approved"]`)))

	// The partner gets exactly one email about it.
	inbox.WaitFor(t, "user@northwind.test", "approved your lead "+company)

	// Let a few more periods pass with two schedulers and two workers (the
	// test waits for runs it can see, not for time).
	last := lastPeriod(c)
	for lastPeriod(c).Sub(last) < 3*period {
		if time.Since(killedAt) > 30*time.Second {
			t.Fatal("periodic tasks stopped running after the worker was killed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitQueuesIdle(t, rdb.Options().Addr, rdb.Options().DB)
	c.stopAll()
	// Nothing failed for good either.
	ins := asynq.NewInspectorFromRedisClient(rdb)
	qs, err := ins.Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if info, err := ins.GetQueueInfo(q); err != nil || info.Archived != 0 || info.Failed != 0 {
			t.Errorf("queue %s: %+v (%v), want no failed or archived task", q, info, err)
		}
	}

	if n := inbox.Count("user@northwind.test"); n != 2 { // the sign-in link and the approval
		t.Errorf("%d emails to the partner, want 2 (sign-in link, one approval notice)", n)
	}
	if n := queryInt(t, &apptest.Env{Store: store}, "SELECT count(*) FROM notifications WHERE emailed_at IS NULL"); n != 0 {
		t.Errorf("%d notifications not emailed", n)
	}

	// No periodic task ran twice for a period, and none was lost: every
	// period between the first and the last run has its run, including those
	// after the kill and the second scheduler.
	runs := map[string]int{}
	periods := map[string]map[time.Time]bool{}
	for _, p := range workers {
		sc := bufio.NewScanner(strings.NewReader(p.logText()))
		for sc.Scan() {
			m := periodicDoneRe.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			runs[m[2]]++
			at, err := time.Parse(time.RFC3339, m[2][strings.LastIndex(m[2], ":"+m[1]+":")+len(m[1])+2:])
			if err != nil {
				t.Fatalf("task id %s: %v", m[2], err)
			}
			if periods[m[1]] == nil {
				periods[m[1]] = map[time.Time]bool{}
			}
			periods[m[1]][at] = true
		}
	}
	for id, n := range runs {
		if n != 1 {
			t.Errorf("%s ran %d times", id, n)
		}
	}
	for _, typ := range []string{"clicks:rollup", "email:notification_sweep", "email:login_sweep", "maintenance:cleanup"} {
		ps := periods[typ]
		if len(ps) < 4 {
			t.Errorf("%s ran in %d periods, want at least 4", typ, len(ps))
			continue
		}
		var first, latest time.Time
		for p := range ps {
			if first.IsZero() || p.Before(first) {
				first = p
			}
			if p.After(latest) {
				latest = p
			}
		}
		for p := first; !p.After(latest); p = p.Add(period) {
			if !ps[p] {
				t.Errorf("%s: no run for the period starting %s (runs from %s to %s)", typ, p.Format(time.TimeOnly),
					first.Format(time.TimeOnly), latest.Format(time.TimeOnly))
			}
		}
	}
	// Both schedulers were at it: the second one's enqueues were refused
	// (or the first one's, when the second came first).
	refused := strings.Count(sched1.logText()+sched2.logText(), "periodic task already enqueued for this period")
	if refused < 4 {
		t.Errorf("%d enqueues refused as duplicates; the two schedulers did not overlap", refused)
	}
	t.Logf("journey and checks in %s; periodic runs: %d over %d task types, %d duplicate enqueues refused",
		time.Since(started).Round(time.Millisecond), len(runs), len(periods), refused)
}

// lastPeriod is the latest period any worker logged a periodic run for.
func lastPeriod(c *cluster) time.Time {
	var last time.Time
	for _, p := range c.procs {
		for _, m := range periodicDoneRe.FindAllStringSubmatch(p.logText(), -1) {
			i := strings.LastIndex(m[2], ":"+m[1]+":")
			if at, err := time.Parse(time.RFC3339, m[2][i+len(m[1])+2:]); err == nil && at.After(last) {
				last = at
			}
		}
	}
	return last
}

// killFrozen stops the worker (SIGSTOP), and once no task is active in any
// queue kills it (SIGKILL); if a task is active, it lets the worker go on for
// a moment and tries again.
func killFrozen(t *testing.T, p *proc, addr string, db int) {
	t.Helper()
	ins := asynq.NewInspector(asynq.RedisClientOpt{Addr: addr, DB: db})
	defer ins.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_ = p.cmd.Process.Signal(syscall.SIGSTOP)
		active := activeTasks(t, ins)
		if active == 0 {
			// A dequeue the worker sent just before it froze may still
			// land: look again once it would have.
			time.Sleep(100 * time.Millisecond)
			if activeTasks(t, ins) == 0 {
				_ = p.cmd.Process.Kill()
				_ = p.cmd.Wait()
				return
			}
		}
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		select {
		case <-ctx.Done():
			t.Fatal("tasks kept being active for 20s; could not kill the worker between tasks")
		case <-time.After(30 * time.Millisecond):
		}
	}
}

// activeTasks counts the tasks being processed, in every queue.
func activeTasks(t *testing.T, ins *asynq.Inspector) int {
	t.Helper()
	qs, err := ins.Queues()
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, q := range qs {
		info, err := ins.GetQueueInfo(q)
		if err != nil {
			t.Fatal(err)
		}
		active += info.Active
	}
	return active
}
