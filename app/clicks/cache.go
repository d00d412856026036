package clicks

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"partnerportal/queries"
)

// Link is what the redirect needs to know about a code.
type Link struct {
	ID, OrganizationID, PartnerID int64
	Destination                   string // with UTM parameters applied
	Active                        bool
	Found                         bool // false: no such code (cached too)
}

// Cache maps codes to links in this process, so a click costs no PostgreSQL
// query. Entries are dropped when a link changes (Invalidate, broadcast to
// every web process over Redis pub/sub) and after TTL as a safety net.
type Cache struct {
	load    func(ctx context.Context, code string) (Link, error)
	ttl     time.Duration
	maxSize int
	mu      sync.RWMutex
	items   map[string]cacheEntry
	Loads   atomic.Int64 // PostgreSQL lookups made (cache misses)
}

type cacheEntry struct {
	link    Link
	expires time.Time
}

// InvalidateChannel is the Redis pub/sub channel carrying changed codes.
const InvalidateChannel = "links:invalidate"

// NewCache builds a cache that loads links from PostgreSQL.
func NewCache(store *queries.Store, ttl time.Duration) *Cache {
	return &Cache{ttl: ttl, maxSize: 200_000, items: map[string]cacheEntry{},
		load: func(ctx context.Context, code string) (Link, error) {
			row, err := store.GetTrackingLinkByCode(ctx, code)
			if queries.IsNotFound(err) {
				return Link{}, nil
			}
			if err != nil {
				return Link{}, err
			}
			return Link{ID: row.ID, OrganizationID: row.OrganizationID, PartnerID: row.PartnerID, Active: row.Active, Found: true,
				Destination: WithUTM(row.Destination, row.UtmSource, row.UtmMedium, row.UtmCampaign)}, nil
		}}
}

// Get returns the link for a code, loading it on a miss.
func (c *Cache) Get(ctx context.Context, code string) (Link, error) {
	now := time.Now() // a cache lifetime (real elapsed time), not a business date: not app/clock
	c.mu.RLock()
	e, ok := c.items[code]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.link, nil
	}
	c.Loads.Add(1)
	l, err := c.load(ctx, code)
	if err != nil {
		return Link{}, err
	}
	ttl := c.ttl
	if !l.Found {
		ttl = min(ttl, 30*time.Second) // unknown codes: remember briefly
	}
	c.mu.Lock()
	if len(c.items) >= c.maxSize {
		clear(c.items) // crude but bounded; a full reload costs one query per code
	}
	// The key is copied: Fiber's route parameters point into a request
	// buffer that is reused by the next request, and a map key that changes
	// underneath would let Forget miss it (a deactivated link kept working).
	c.items[strings.Clone(code)] = cacheEntry{link: l, expires: now.Add(ttl)}
	c.mu.Unlock()
	return l, nil
}

// Forget drops a code from this process's cache.
func (c *Cache) Forget(code string) {
	c.mu.Lock()
	delete(c.items, code)
	c.mu.Unlock()
}

// Invalidate drops a code here and tells every other web process to drop it.
func (c *Cache) Invalidate(ctx context.Context, rdb redis.UniversalClient, code string) error {
	c.Forget(code)
	return rdb.Publish(ctx, InvalidateChannel, code).Err()
}

// Listen applies invalidations published by other processes until ctx ends.
// If the subscription drops, entries still expire after the TTL.
func (c *Cache) Listen(ctx context.Context, rdb redis.UniversalClient) {
	sub := rdb.Subscribe(ctx, InvalidateChannel)
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			c.Forget(m.Payload)
		}
	}
}
