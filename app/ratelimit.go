package app

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// allow counts one event against a fixed-window limit kept in Redis, shared by
// every web process. It reports whether the event is within the limit.
func allow(ctx context.Context, rdb redis.UniversalClient, key string, limit int64, window time.Duration) (bool, error) {
	pipe := rdb.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.ExpireNX(ctx, key, window)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, err
	}
	return n.Val() <= limit, nil
}
