package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// metrics exposes the click pipeline's counters in the Prometheus text format.
func (h *Handler) metrics(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4")
	r := h.Clicks
	return c.SendString(fmt.Sprintf(
		"# HELP portal_clicks_recorded_total Clicks accepted by this web process.\n# TYPE portal_clicks_recorded_total counter\nportal_clicks_recorded_total %d\n"+
			"# HELP portal_clicks_written_total Clicks written to the Redis stream.\n# TYPE portal_clicks_written_total counter\nportal_clicks_written_total %d\n"+
			"# HELP portal_clicks_dropped_total Clicks lost because Redis was unreachable for too long.\n# TYPE portal_clicks_dropped_total counter\nportal_clicks_dropped_total %d\n"+
			"# HELP portal_click_flush_errors_total Failed writes of click batches to Redis (retried).\n# TYPE portal_click_flush_errors_total counter\nportal_click_flush_errors_total %d\n"+
			"# HELP portal_clicks_buffered Clicks waiting in memory for Redis.\n# TYPE portal_clicks_buffered gauge\nportal_clicks_buffered %d\n",
		r.Recorded.Load(), r.Written.Load(), r.Dropped.Load(), r.FlushErrors.Load(), r.Pending()))
}
