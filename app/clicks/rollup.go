package clicks

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"partnerportal/queries"
)

// consumer is the one consumer name every rollup uses: a rollup killed
// mid-batch leaves its entries pending under this name, and the next rollup
// (in any worker process) reads those first.
const consumer = "rollup"

// EnsureGroup creates the consumer group (and the stream) if missing.
func EnsureGroup(ctx context.Context, rdb redis.UniversalClient) error {
	err := rdb.XGroupCreateMkStream(ctx, Stream, Group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return err
	}
	return nil
}

// Rollup moves clicks from the Redis stream into PostgreSQL until the stream
// is drained (or maxBatches batches are done) and returns how many clicks
// were new. It is exact under every failure it can meet:
//   - each batch is inserted in one transaction, keyed by click id (ON
//     CONFLICT DO NOTHING), and the aggregates grow only by the rows really
//     inserted;
//   - entries are acknowledged and deleted from the stream only after the
//     commit; killed before that, the next rollup re-reads them as pending,
//     inserts nothing new, and acknowledges them;
//   - two rollups at once either read different entries or, for the same
//     pending entries, the second inserts none; batch transactions take an
//     advisory lock so such overlapping batches queue instead of deadlocking;
//   - while the hash Recent exists (written by web processes of the release
//     before CatchUp, during an upgrade), each click's field is deleted with
//     its entry, after the commit.
//
// batch is the number of clicks per transaction (about: entries carry up to
// EntryClicks clicks, and entries of the older layout one each).
func Rollup(ctx context.Context, rdb redis.UniversalClient, store *queries.Store, batch, maxBatches int) (int64, error) {
	n, _, err := rollup(ctx, rdb, store, batch, maxBatches)
	return n, err
}

// ErrBacklog is CatchUp's answer when the stream holds more than it rolls up
// in one call.
var ErrBacklog = errors.New("clicks: the rollup is behind by more than 2M clicks")

// CatchUp rolls up what the stream holds, so that every click written to
// Redis before the call is in PostgreSQL when it returns nil. A sign-up
// whose click id is not in PostgreSQL calls it instead of looking the click
// up in Redis: a click costs Redis no entry of its own for attribution, and
// the work is the rollup's own, only done sooner. It is exact alongside the
// worker's rollup and other catch-ups (see Rollup). Bounded by ctx and by 2M
// clicks (ErrBacklog; the worker rolls up every minute, so the stream holds
// about a minute of clicks).
func CatchUp(ctx context.Context, rdb redis.UniversalClient, store *queries.Store) error {
	_, drained, err := rollup(ctx, rdb, store, 2000, 1000)
	if err == nil && !drained {
		err = ErrBacklog
	}
	return err
}

// rollup is Rollup, also reporting whether it stopped on an empty stream.
func rollup(ctx context.Context, rdb redis.UniversalClient, store *queries.Store, batch, maxBatches int) (int64, bool, error) {
	if err := EnsureGroup(ctx, rdb); err != nil {
		return 0, false, err
	}
	legacy, err := rdb.Exists(ctx, Recent).Result()
	if err != nil {
		return 0, false, err
	}
	var total int64
	perEntry := EntryClicks
	for range maxBatches {
		msgs, err := readBatch(ctx, rdb, max(1, batch/perEntry))
		if err != nil {
			return total, false, err
		}
		if len(msgs) == 0 {
			return total, true, nil
		}
		p := decode(msgs)
		perEntry = max(1, min(EntryClicks, len(p.ClickIds)/len(msgs)))
		n, err := insertBatch(ctx, store, p)
		if err != nil {
			return total, false, err
		}
		total += n
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if _, err := rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			pl.XAck(ctx, Stream, Group, ids...)
			pl.XDel(ctx, Stream, ids...)
			if legacy > 0 && len(p.ClickIds) > 0 {
				pl.HDel(ctx, Recent, p.ClickIds...)
			}
			return nil
		}); err != nil {
			return total, false, err
		}
	}
	return total, false, nil
}

// readBatch returns this consumer's pending entries first (left by a rollup
// that died, or being rolled up by another one right now), then new ones,
// then pending ones again: another rollup may have taken the last new
// entries between the first two reads. So when it returns none, every entry
// added before the call has been acknowledged, which a rollup does only
// after committing its clicks (what CatchUp promises).
func readBatch(ctx context.Context, rdb redis.UniversalClient, n int) ([]redis.XMessage, error) {
	for _, start := range []string{"0", ">", "0"} {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: Group, Consumer: consumer, Streams: []string{Stream, start}, Count: int64(n), Block: -1,
		}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(res) > 0 && len(res[0].Messages) > 0 {
			return res[0].Messages, nil
		}
	}
	return nil, nil
}

// decode reads the clicks of stream entries of both layouts: packed ("b":
// lines "id link visitor unixms") and one click per entry (c, l, v, t).
// Malformed clicks are left out (acknowledged and dropped with the batch).
func decode(msgs []redis.XMessage) queries.InsertClicksParams {
	p := queries.InsertClicksParams{}
	add := func(id, l, v, t string) {
		link, err1 := strconv.ParseInt(l, 10, 64)
		ms, err2 := strconv.ParseInt(t, 10, 64)
		if id == "" || err1 != nil || err2 != nil {
			return
		}
		p.ClickIds = append(p.ClickIds, id)
		p.LinkIds = append(p.LinkIds, link)
		p.VisitorIds = append(p.VisitorIds, v)
		p.ClickedAts = append(p.ClickedAts, time.UnixMilli(ms).UTC())
	}
	for _, m := range msgs {
		b, packed := m.Values["b"].(string)
		if !packed {
			add(str(m.Values["c"]), str(m.Values["l"]), str(m.Values["v"]), str(m.Values["t"]))
			continue
		}
		for line := range strings.SplitSeq(b, "\n") {
			f := strings.Split(line, " ")
			if len(f) == 4 {
				add(f[0], f[1], f[2], f[3])
			}
		}
	}
	return p
}

// insertBatch writes one batch in one transaction and returns how many
// clicks were new.
func insertBatch(ctx context.Context, s *queries.Store, p queries.InsertClicksParams) (int64, error) {
	if len(p.ClickIds) == 0 {
		return 0, nil
	}
	var inserted int64
	err := s.Tx(ctx, func(q *queries.Queries) error {
		if err := q.LockClickRollup(ctx); err != nil {
			return err
		}
		rows, err := q.InsertClicks(ctx, p)
		for _, r := range rows {
			inserted += r.Inserted
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
