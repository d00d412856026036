package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"partnerportal/app/apptest"
)

// scrape reads /metrics with Prometheus's own parser.
func scrape(t *testing.T, env *apptest.Env) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return mfs
}

// metricValue is the value of the series of name whose labels include
// labels (name=value pairs); ok is false when there is none.
func metricValue(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		}
	}
	return 0, false
}

// /metrics shows the Asynq queues (sizes by state, latency, processed,
// failed), and the click buffer gauge counts every click waiting while Redis
// hangs (a paused redis-server of the test's own), including the batch whose
// write is stuck.
func TestMetricsQueuesAndClicksBufferedDuringOutage(t *testing.T) {
	rs := apptest.StartRedisServer(t)
	env := apptest.NewEnv(t, apptest.Options{RedisURL: rs.URL, NoWorker: true})
	c := env.Client(t)
	for _, email := range []string{"user@northwind.test", "admin@globex.test"} {
		if r := c.Post("/login", url.Values{"email": {email}}); r.StatusCode != http.StatusOK {
			t.Fatalf("POST /login: %d", r.StatusCode)
		}
	}
	mfs := scrape(t, env)
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"asynq_tasks_enqueued_total", []string{"queue", "critical", "state", "pending"}, 2},
		{"asynq_tasks_enqueued_total", []string{"queue", "critical", "state", "active"}, 0},
		{"asynq_queue_size", []string{"queue", "critical"}, 2},
		{"asynq_tasks_processed_total", []string{"queue", "critical"}, 0},
		{"asynq_tasks_failed_total", []string{"queue", "critical"}, 0},
		{"portal_redis_up", nil, 1},
	} {
		if got, ok := metricValue(mfs, tc.name, tc.labels...); !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if lat, ok := metricValue(mfs, "asynq_queue_latency_seconds", "queue", "critical"); !ok || lat < 0 {
		t.Errorf("queue latency: %v %v", lat, ok)
	}

	// Redis hangs. Clicks keep being accepted and wait in the buffer.
	rs.Pause()
	const n = 148
	for range n {
		r := click(env.Client(t), http.MethodGet, "/r/northwind", browserUA)
		if r.StatusCode != http.StatusFound {
			t.Fatalf("/r/northwind with Redis paused: %d", r.StatusCode)
		}
	}
	// The recorder took the first clicks into a write that hangs (it flushes
	// every 20 ms) and keeps the rest; the gauge counts them all (it read
	// only the rest while a write was stuck).
	if got := env.Clicks.Recorded.Load(); got != n {
		t.Fatalf("%d clicks recorded, want %d", got, n)
	}
	start := time.Now()
	mfs = scrape(t, env)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("/metrics took %s with Redis paused", d)
	}
	if got, _ := metricValue(mfs, "portal_clicks_buffered"); got != n {
		t.Errorf("portal_clicks_buffered = %v during the outage, want %d", got, n)
	}
	if got, _ := metricValue(mfs, "portal_clicks_written_total"); got != 0 {
		t.Errorf("portal_clicks_written_total = %v during the outage", got)
	}
	if got, ok := metricValue(mfs, "portal_redis_up"); !ok || got != 0 {
		t.Errorf("portal_redis_up = %v (present %v) with Redis paused", got, ok)
	}

	// Redis answers again: everything is written, nothing waits.
	rs.Resume()
	deadline := time.Now().Add(30 * time.Second)
	for env.Clicks.Written.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d clicks written after Redis came back", env.Clicks.Written.Load(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mfs = scrape(t, env)
	if got, _ := metricValue(mfs, "portal_clicks_buffered"); got != 0 {
		t.Errorf("portal_clicks_buffered = %v after the outage", got)
	}
	if got, _ := metricValue(mfs, "portal_clicks_written_total"); got != n {
		t.Errorf("portal_clicks_written_total = %v, want %d", got, n)
	}
	if !strings.Contains(strings.Join(keys(mfs), " "), "asynq_queue_memory_usage_approx_bytes") {
		t.Errorf("queue figures missing after the outage: %v", keys(mfs))
	}
}

func keys(m map[string]*dto.MetricFamily) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
