package clicks

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keys of the pipeline.
const (
	Stream = "clicks:stream" // entries of up to EntryClicks clicks each, until rolled up
	Group  = "rollup"        // consumer group the rollup reads with
	// Recent maps click id → "link:unixms" for the clicks not rolled up yet,
	// so a sign-up arriving within the minute is attributed; the rollup
	// deletes each click's field once the click is in PostgreSQL, so Redis
	// holds nothing per click after the rollup.
	Recent = "clicks:recent"
	// EntryClicks is the most clicks one stream entry carries.
	EntryClicks = 256
	// legacyClickKey is the per-click key of releases before Recent (48 h
	// TTL); RecentClick still reads it while such keys live.
	legacyClickKey = "click:"
)

// Click is one counted visit through a tracking link.
type Click struct {
	ID        string
	LinkID    int64
	VisitorID string
	At        time.Time
}

// Recorder buffers clicks in memory and writes them to the Redis stream in
// pipelined batches, so the redirect does no network round trip of its own.
// While Redis is unreachable it keeps up to Max clicks and retries; beyond
// that, clicks are dropped and counted in Dropped. A web process killed
// outright loses at most one flush interval of clicks.
type Recorder struct {
	rdb      redis.UniversalClient
	Interval time.Duration
	Max      int
	mu       sync.Mutex
	buf      []Click
	inFlight int // clicks taken out of buf by a Flush that has not finished
	wake     chan struct{}

	// Metrics, exposed on /metrics.
	Recorded    atomic.Int64 // clicks accepted into the buffer
	Written     atomic.Int64 // clicks written to Redis
	Dropped     atomic.Int64 // clicks lost because Redis was unreachable too long
	FlushErrors atomic.Int64
}

// NewRecorder makes a recorder flushing every interval (or sooner when 1,000
// clicks are waiting).
func NewRecorder(rdb redis.UniversalClient, interval time.Duration) *Recorder {
	return &Recorder{rdb: rdb, Interval: interval, Max: 100_000, wake: make(chan struct{}, 1)}
}

// Record queues a click; it never blocks on the network.
func (r *Recorder) Record(c Click) {
	r.mu.Lock()
	if len(r.buf) >= r.Max {
		r.mu.Unlock()
		r.Dropped.Add(1)
		return
	}
	r.buf = append(r.buf, c)
	n := len(r.buf)
	r.mu.Unlock()
	r.Recorded.Add(1)
	if n == 1000 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// Run flushes until ctx ends, then flushes what is left (bounded by 5 s).
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			for r.Pending() > 0 && r.Flush(fctx) == nil {
			}
			cancel()
			return
		case <-t.C:
		case <-r.wake:
		}
		_ = r.Flush(ctx)
	}
}

// Pending is the number of clicks not yet written to Redis: those waiting in
// the buffer and those of a write still under way (which, while Redis hangs,
// can take many seconds and hold every click of an outage).
func (r *Recorder) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf) + r.inFlight
}

// Flush writes buffered clicks to Redis in one pipeline. On failure they go
// back into the buffer (in order) for the next attempt.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.buf
	if len(batch) > 5000 {
		batch = batch[:5000]
	}
	r.buf = r.buf[len(batch):]
	r.inFlight += len(batch)
	r.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		writeBatch(ctx, p, batch)
		return nil
	})
	r.mu.Lock()
	r.inFlight -= len(batch)
	if err != nil { // back to the front of the buffer, in the same step
		room := r.Max - len(r.buf)
		if room < len(batch) {
			r.Dropped.Add(int64(len(batch) - room))
			batch = batch[:max(room, 0)]
		}
		r.buf = append(append(make([]Click, 0, len(batch)+len(r.buf)), batch...), r.buf...)
	}
	r.mu.Unlock()
	if err != nil {
		r.FlushErrors.Add(1)
		return err
	}
	r.Written.Add(int64(len(batch)))
	return nil
}

// writeBatch queues the commands that store a batch: one XADD per
// EntryClicks clicks, each entry one packed field "b" of lines
// "id link visitor unixms\n", and one HSET of Recent for attribution. Two
// commands per few hundred clicks instead of two per click: this is most of
// what a click costs the web process. A click whose id or visitor holds a
// space or newline (never one of ours) is written as a one-click entry of the
// older layout (fields c, l, v, t), which the rollup reads too.
func writeBatch(ctx context.Context, p redis.Pipeliner, batch []Click) {
	recent := make([]any, 0, 2*len(batch))
	vals := make([]byte, 0, len(batch)*24)
	packed := make([]byte, 0, min(len(batch), EntryClicks)*64)
	n := 0
	flush := func() {
		if n > 0 {
			p.XAdd(ctx, &redis.XAddArgs{Stream: Stream, Values: []any{"b", packed}})
			packed, n = make([]byte, 0, cap(packed)), 0
		}
	}
	for _, c := range batch {
		ms := c.At.UnixMilli()
		start := len(vals)
		vals = strconv.AppendInt(vals, c.LinkID, 10)
		vals = append(vals, ':')
		vals = strconv.AppendInt(vals, ms, 10)
		recent = append(recent, c.ID, vals[start:len(vals):len(vals)])
		if !plain(c.ID) || !plain(c.VisitorID) || c.ID == "" {
			p.XAdd(ctx, &redis.XAddArgs{Stream: Stream, Values: []any{
				"c", c.ID, "l", strconv.FormatInt(c.LinkID, 10), "v", c.VisitorID, "t", strconv.FormatInt(ms, 10)}})
			continue
		}
		packed = append(packed, c.ID...)
		packed = append(packed, ' ')
		packed = strconv.AppendInt(packed, c.LinkID, 10)
		packed = append(packed, ' ')
		packed = append(packed, c.VisitorID...)
		packed = append(packed, ' ')
		packed = strconv.AppendInt(packed, ms, 10)
		packed = append(packed, '\n')
		if n++; n == EntryClicks {
			flush()
		}
	}
	flush()
	p.HSet(ctx, Recent, recent...)
}

// plain reports whether s can stand in a packed line.
func plain(s string) bool {
	return strings.IndexByte(s, ' ') < 0 && strings.IndexByte(s, '\n') < 0
}

// RecentClick looks a click id up in Redis, for sign-ups that arrive before
// the rollup has moved the click into PostgreSQL.
func RecentClick(ctx context.Context, rdb redis.UniversalClient, clickID string) (linkID int64, at time.Time, ok bool, err error) {
	v, err := rdb.HGet(ctx, Recent, clickID).Result()
	if err == redis.Nil {
		v, err = rdb.Get(ctx, legacyClickKey+clickID).Result()
	}
	if err == redis.Nil {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, err
	}
	l, ms, found := cut(v, ':')
	if !found {
		return 0, time.Time{}, false, nil
	}
	id, err1 := strconv.ParseInt(l, 10, 64)
	t, err2 := strconv.ParseInt(ms, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, time.Time{}, false, nil
	}
	return id, time.UnixMilli(t), true, nil
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
