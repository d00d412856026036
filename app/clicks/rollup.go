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
//   - a click's attribution field in Recent is deleted with the entry, after
//     the commit: from then on the click is found in PostgreSQL.
//
// batch is the number of clicks per transaction (about: entries carry up to
// EntryClicks clicks, and entries of the older layout one each).
func Rollup(ctx context.Context, rdb redis.UniversalClient, store *queries.Store, batch, maxBatches int) (int64, error) {
	if err := EnsureGroup(ctx, rdb); err != nil {
		return 0, err
	}
	var total int64
	perEntry := EntryClicks
	for range maxBatches {
		msgs, err := readBatch(ctx, rdb, max(1, batch/perEntry))
		if err != nil {
			return total, err
		}
		if len(msgs) == 0 {
			return total, nil
		}
		p := decode(msgs)
		perEntry = max(1, min(EntryClicks, len(p.ClickIds)/len(msgs)))
		n, err := insertBatch(ctx, store, p)
		if err != nil {
			return total, err
		}
		total += n
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if _, err := rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
			pl.XAck(ctx, Stream, Group, ids...)
			pl.XDel(ctx, Stream, ids...)
			if len(p.ClickIds) > 0 {
				pl.HDel(ctx, Recent, p.ClickIds...)
			}
			return nil
		}); err != nil {
			return total, err
		}
	}
	return total, nil
}

// readBatch returns this consumer's pending entries first (left by a rollup
// that died), then new ones.
func readBatch(ctx context.Context, rdb redis.UniversalClient, n int) ([]redis.XMessage, error) {
	for _, start := range []string{"0", ">"} {
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
		if err != nil || len(rows) == 0 {
			return err
		}
		keys := queries.RefreshUniqueVisitorsParams{}
		for _, r := range rows {
			inserted += r.Inserted
			keys.OrganizationIds = append(keys.OrganizationIds, r.OrganizationID)
			keys.LinkIds = append(keys.LinkIds, r.LinkID)
			keys.Days = append(keys.Days, r.Day)
		}
		return q.RefreshUniqueVisitors(ctx, keys)
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
