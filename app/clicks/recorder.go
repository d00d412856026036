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
	// Recent is the hash (click id → "link:unixms") where releases before
	// the catch-up rollup put every click for attribution before the rollup.
	// Nothing writes it now; the rollup still deletes the fields of the
	// clicks it moves while the hash exists (web processes of the previous
	// release during an upgrade), so it ends empty and is gone.
	Recent = "clicks:recent"
	// EntryClicks is the most clicks one stream entry carries.
	EntryClicks = 256
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
	flushMu  sync.Mutex // one write to Redis at a time, so Drain knows what is written
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

// Flush writes buffered clicks (up to 5,000) to Redis in one pipeline. On
// failure they go back into the buffer (in order) for the next attempt.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	_, err := r.flush(ctx, 5000)
	return err
}

// Drain returns once every click recorded before the call is written to
// Redis (or lost to the buffer limit), or with the error of a failed write.
func (r *Recorder) Drain(ctx context.Context) error {
	r.flushMu.Lock() // a write under way has finished: its clicks are written or back in buf
	defer r.flushMu.Unlock()
	r.mu.Lock()
	left := len(r.buf)
	r.mu.Unlock()
	for left > 0 {
		n, err := r.flush(ctx, min(left, 5000))
		if err != nil || n == 0 {
			return err
		}
		left -= n
	}
	return nil
}

// flush writes up to limit clicks from the front of the buffer and returns
// how many it took; flushMu is held.
func (r *Recorder) flush(ctx context.Context, limit int) (int, error) {
	r.mu.Lock()
	batch := r.buf
	if len(batch) > limit {
		batch = batch[:limit]
	}
	r.buf = r.buf[len(batch):]
	r.inFlight += len(batch)
	r.mu.Unlock()
	if len(batch) == 0 {
		return 0, nil
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
		return 0, err
	}
	r.Written.Add(int64(len(batch)))
	return len(batch), nil
}

// writeBatch queues the commands that store a batch: one XADD per
// EntryClicks clicks, each entry one packed field "b" of lines
// "id link visitor unixms\n". Nothing per click: a sign-up that arrives
// before the rollup runs the rollup itself (CatchUp) and finds the click in
// PostgreSQL. A click whose id or visitor holds a space or newline (never one
// of ours) is written as a one-click entry of the older layout (fields c, l,
// v, t), which the rollup reads too.
func writeBatch(ctx context.Context, p redis.Pipeliner, batch []Click) {
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
}

// plain reports whether s can stand in a packed line.
func plain(s string) bool {
	return strings.IndexByte(s, ' ') < 0 && strings.IndexByte(s, '\n') < 0
}
