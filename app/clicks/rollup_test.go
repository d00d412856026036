package clicks_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"partnerportal/app/apptest"
	"partnerportal/app/clicks"
	"partnerportal/app/clock"
	"partnerportal/queries"
)

// record writes n clicks for the link through a real Recorder into Redis.
func record(t *testing.T, rdb redis.UniversalClient, linkID int64, n int, visitors int, prefix string) {
	t.Helper()
	r := clicks.NewRecorder(rdb, time.Hour)
	r.Max = n + 1
	at := clock.SuiteNow()
	for i := range n {
		r.Record(clicks.Click{ID: fmt.Sprintf("%s%09d", prefix, i), LinkID: linkID, VisitorID: "v" + strconv.Itoa(i%visitors), At: at})
	}
	if err := r.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Written.Load() != int64(n) {
		t.Fatalf("written %d of %d", r.Written.Load(), n)
	}
}

func linkID(t *testing.T, s *queries.Store, code string) int64 {
	t.Helper()
	l, err := s.GetTrackingLinkByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return l.ID
}

func totals(t *testing.T, s *queries.Store, link int64) (clicksSum, rows, uniques int64) {
	t.Helper()
	err := s.Pool.QueryRow(context.Background(), `
		SELECT coalesce((SELECT sum(clicks) FROM link_daily_stats WHERE link_id = $1), 0)::bigint,
		       (SELECT count(*) FROM clicks WHERE link_id = $1),
		       coalesce((SELECT sum(unique_visitors) FROM link_daily_stats WHERE link_id = $1), 0)::bigint`, link).
		Scan(&clicksSum, &rows, &uniques)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// distinctVisitors is the link's unique visitors counted from the click rows:
// what link_daily_stats must say.
func distinctVisitors(t *testing.T, s *queries.Store, link int64) (n int64) {
	t.Helper()
	if err := s.Pool.QueryRow(context.Background(), `
		SELECT coalesce(sum(v), 0)::bigint FROM (SELECT count(DISTINCT visitor_id) AS v FROM clicks WHERE link_id = $1 GROUP BY day) d`,
		link).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRollupIsExactAndIdempotent(t *testing.T) {
	s, rdb := apptest.NewStore(t), apptest.NewRedis(t)
	link := linkID(t, s, "northwind")
	record(t, rdb, link, 5000, 1234, "a")
	n, err := clicks.Rollup(context.Background(), rdb, s, 700, 1000)
	if err != nil || n != 5000 {
		t.Fatalf("rollup: %d, %v", n, err)
	}
	if c, rows, u := totals(t, s, link); c != 5000 || rows != 5000 || u != 1234 {
		t.Fatalf("after rollup: clicks %d rows %d uniques %d", c, rows, u)
	}
	// Running it again changes nothing; the stream is empty.
	if n, err := clicks.Rollup(context.Background(), rdb, s, 700, 1000); err != nil || n != 0 {
		t.Fatalf("second rollup: %d, %v", n, err)
	}
	if l, _ := rdb.XLen(context.Background(), clicks.Stream).Result(); l != 0 {
		t.Fatalf("%d entries left in the stream", l)
	}
	// Redis keeps nothing per click once the clicks are in PostgreSQL: the
	// stream (empty, with its consumer group) is the only key left.
	if keys, _ := rdb.Keys(context.Background(), "click*").Result(); len(keys) != 1 || keys[0] != clicks.Stream {
		t.Fatalf("keys left after the rollup: %v", keys)
	}
	// The same clicks delivered again (as after a crash before the ack) add nothing.
	record(t, rdb, link, 5000, 1234, "a")
	if n, err := clicks.Rollup(context.Background(), rdb, s, 700, 1000); err != nil || n != 0 {
		t.Fatalf("replayed clicks: %d new, %v", n, err)
	}
	if c, _, u := totals(t, s, link); c != 5000 || u != 1234 {
		t.Fatalf("replay changed the count to %d, unique visitors to %d", c, u)
	}
}

func TestConcurrentRollupsAreExact(t *testing.T) {
	s, rdb := apptest.NewStore(t), apptest.NewRedis(t)
	link := linkID(t, s, "northwind")
	const n = 20000
	record(t, rdb, link, n, 5000, "b")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sum int64
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := clicks.Rollup(context.Background(), rdb, s, 500, 1000)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			sum += got
			mu.Unlock()
		}()
	}
	wg.Wait()
	if c, rows, u := totals(t, s, link); c != n || rows != n || sum != n || u != distinctVisitors(t, s, link) {
		t.Fatalf("clicks %d rows %d reported %d, want %d each; unique visitors %d, want %d", c, rows, sum, n, u, distinctVisitors(t, s, link))
	}
}

// TestRollupChild is the rollup process that the kill test kills with SIGKILL.
func TestRollupChild(t *testing.T) {
	if os.Getenv("ROLLUP_CHILD_DB") == "" {
		t.Skip("helper process for TestRollupSurvivesKill9")
	}
	pool, err := pgxpool.New(context.Background(), os.Getenv("ROLLUP_CHILD_DB"))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := strconv.Atoi(os.Getenv("ROLLUP_CHILD_REDIS_DB"))
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("ROLLUP_CHILD_REDIS"), DB: db})
	fmt.Println("child started")
	if _, err := clicks.Rollup(context.Background(), rdb, queries.NewStore(pool), 150, 100000); err != nil {
		t.Fatal(err)
	}
}

func TestRollupSurvivesKill9(t *testing.T) {
	s, rdb := apptest.NewStore(t), apptest.NewRedis(t)
	link := linkID(t, s, "globex")
	const perRound = 15000
	interrupted := 0
	for round, delay := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond} {
		record(t, rdb, link, perRound, 100, fmt.Sprintf("r%d-", round))
		cmd := exec.Command(os.Args[0], "-test.run=^TestRollupChild$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"ROLLUP_CHILD_DB="+s.Pool.Config().ConnString(),
			"ROLLUP_CHILD_REDIS="+rdb.Options().Addr,
			"ROLLUP_CHILD_REDIS_DB="+strconv.Itoa(rdb.Options().DB))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if c, _, _ := totals(t, s, link); c < int64(perRound*(round+1)) {
			interrupted++ // killed mid-rollup: some clicks were still in Redis
		}
		if _, err := clicks.Rollup(context.Background(), rdb, s, 500, 100000); err != nil {
			t.Fatal(err)
		}
		want := int64(perRound * (round + 1))
		if c, rows, u := totals(t, s, link); c != want || rows != want || u != distinctVisitors(t, s, link) {
			t.Fatalf("round %d: aggregate %d, click rows %d; want %d (0 lost, 0 double); unique visitors %d, want %d",
				round, c, rows, want, u, distinctVisitors(t, s, link))
		}
	}
	if interrupted == 0 {
		t.Fatal("no kill landed in the middle of a rollup; the test proved nothing")
	}
}

// Entries written by earlier releases (one click per entry; packed entries
// with a field per click in the hash Recent) are still rolled up exactly,
// next to packed ones, and the rollup empties Recent.
func TestRollupReadsTheOlderLayout(t *testing.T) {
	s, rdb := apptest.NewStore(t), apptest.NewRedis(t)
	ctx := context.Background()
	link := linkID(t, s, "northwind")
	at := clock.SuiteNow()
	for i := range 300 {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: clicks.Stream, Values: []any{
			"c", fmt.Sprintf("old%06d", i), "l", strconv.FormatInt(link, 10), "v", "v" + strconv.Itoa(i%7),
			"t", strconv.FormatInt(at.UnixMilli(), 10)}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	record(t, rdb, link, 1000, 10, "new")
	for i := range 1000 { // what the previous release wrote beside each packed click
		id := fmt.Sprintf("new%09d", i)
		if err := rdb.HSet(ctx, clicks.Recent, id, fmt.Sprintf("%d:%d", link, at.UnixMilli())).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := clicks.Rollup(ctx, rdb, s, 200, 1000); err != nil || n != 1300 {
		t.Fatalf("rollup: %d, %v", n, err)
	}
	if c, rows, u := totals(t, s, link); c != 1300 || rows != 1300 || u != 10 {
		t.Fatalf("clicks %d rows %d uniques %d", c, rows, u)
	}
	if n, err := rdb.Exists(ctx, clicks.Recent).Result(); err != nil || n != 0 {
		t.Fatalf("%s is still there after the rollup (%v)", clicks.Recent, err)
	}
}

// Drain returns only once every click recorded before it is in the stream,
// also while the recorder's own flushes run beside it (a write under way
// when Drain starts holds clicks that are neither buffered nor written).
func TestDrainWritesEverythingRecordedBefore(t *testing.T) {
	rdb := apptest.NewRedis(t)
	rdb.AddHook(slowPipelines{}) // so that the recorder's own write is still under way when Drain starts
	r := clicks.NewRecorder(rdb, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	at := clock.SuiteNow()
	for round := range 4 {
		for i := range 7000 {
			r.Record(clicks.Click{ID: fmt.Sprintf("d%d-%06d", round, i), LinkID: 1, VisitorID: "v", At: at})
		}
		if err := r.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := rdb.XRange(ctx, clicks.Stream, "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			b, _ := e.Values["b"].(string)
			n += strings.Count(b, "\n")
		}
		if want := (round + 1) * 7000; n != want {
			t.Fatalf("round %d: %d clicks in the stream after Drain, want %d", round, n, want)
		}
	}
}

// slowPipelines holds every pipeline 30 ms before sending it.
type slowPipelines struct{}

func (slowPipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (slowPipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (slowPipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		time.Sleep(30 * time.Millisecond)
		return next(ctx, cmds)
	}
}
