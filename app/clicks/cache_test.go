package clicks

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

// Fiber's route parameters alias a request buffer that the next request
// overwrites. The cache must keep its own copy of a code, or Forget misses
// the entry and a deactivated link keeps redirecting once the buffer holds
// the code again.
func TestCacheKeepsItsOwnKeys(t *testing.T) {
	ctx := context.Background()
	active := true
	c := &Cache{ttl: time.Minute, maxSize: 10, items: map[string]cacheEntry{},
		load: func(context.Context, string) (Link, error) { return Link{Found: true, Active: active}, nil }}
	buf := []byte("northwind")
	param := unsafe.String(&buf[0], len(buf)) // as c.Params("code") hands it out
	if l, _ := c.Get(ctx, param); !l.Active {
		t.Fatal("first load")
	}
	copy(buf, "globex-00") // the next request reuses the buffer
	active = false         // the link is deactivated …
	c.Forget("northwind")  // … and dropped from the cache
	copy(buf, "northwind") // a later click on the same code
	if l, _ := c.Get(ctx, param); l.Active {
		t.Fatal("the cache still had the link as active after Forget")
	}
}
