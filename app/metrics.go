package app

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/redis/go-redis/v9"
)

// metrics exposes, in the Prometheus text format, the click pipeline's
// counters of this web process and the Asynq queues every process shares
// (sizes by state, latency, processed and failed totals; asynq's own
// collector). While Redis does not answer, portal_redis_up is 0, the queue
// figures are left out and the page still answers at once.
func (h *Handler) metrics(c *fiber.Ctx) error {
	reg := prometheus.NewRegistry()
	r := h.Clicks
	counter := func(name, help string, f func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	reg.MustRegister(
		counter("portal_clicks_recorded_total", "Clicks accepted by this web process.", r.Recorded.Load),
		counter("portal_clicks_written_total", "Clicks written to the Redis stream.", r.Written.Load),
		counter("portal_clicks_dropped_total", "Clicks lost because Redis was unreachable for too long.", r.Dropped.Load),
		counter("portal_click_flush_errors_total", "Failed writes of click batches to Redis (retried).", r.FlushErrors.Load),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "portal_clicks_buffered",
			Help: "Clicks accepted by this web process and not yet written to Redis (waiting or being written)."},
			func() float64 { return float64(r.Pending()) }),
		&queueCollector{rdb: h.Redis, timeout: 2 * time.Second},
	)
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	c.Set(fiber.HeaderContentType, string(format))
	enc := expfmt.NewEncoder(c, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

var redisUpDesc = prometheus.NewDesc("portal_redis_up",
	"1 when Redis answered this scrape (the asynq_* queue figures are then present), 0 when it did not.", nil, nil)

// queueCollector is asynq's queue collector, asked only when Redis answers
// and bounded in time, so that /metrics stays quick during an outage.
type queueCollector struct {
	rdb     redis.UniversalClient
	timeout time.Duration
}

// Describe sends nothing: an unchecked collector (asynq's describes itself
// by collecting, which needs Redis).
func (q *queueCollector) Describe(chan<- *prometheus.Desc) {}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	buf := make(chan prometheus.Metric, 4096) // 10 figures per queue: never blocks
	done := make(chan bool, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), q.timeout)
		defer cancel()
		if err := q.rdb.Ping(ctx).Err(); err != nil {
			done <- false
			return
		}
		metrics.NewQueueMetricsCollector(asynq.NewInspectorFromRedisClient(q.rdb)).Collect(buf)
		done <- true
	}()
	up := false
	select {
	case up = <-done:
	case <-time.After(q.timeout): // Redis hangs: the goroutine ends on its own
	}
	if up {
		close(buf)
		for m := range buf {
			ch <- m
		}
	}
	v := 0.0
	if up {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(redisUpDesc, prometheus.GaugeValue, v)
}
