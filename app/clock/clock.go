// Package clock is the one source of the current time for the web tier, the
// workers and the tests. Production code takes a Clock (the real one); tests
// take a Settable clock they can set and advance, so that nothing depends on
// the date the suite happens to run on and nothing sleeps for time to pass.
//
// time.Since stays in use for what it is good at: measuring latency.
package clock

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// Or returns c, or the real clock when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Settable is a clock for tests: it starts at a given instant and moves on with
// real elapsed time (so timeouts and "newest first" orderings still work),
// and a test can Set it or Advance it without sleeping. Safe for concurrent use.
type Settable struct {
	mu   sync.Mutex
	at   time.Time // the clock's reading at mark
	mark time.Time // the real (monotonic) time of the last Set
}

// NewSettable returns a clock reading start now.
func NewSettable(start time.Time) *Settable {
	s := &Settable{}
	s.Set(start)
	return s
}

// Now is the set instant plus the real time elapsed since it was set.
func (s *Settable) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at.Add(time.Since(s.mark))
}

// Set makes the clock read t now.
func (s *Settable) Set(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = t.Round(0) // drop any monotonic reading: only the wall time counts
	s.mark = time.Now()
}

// Advance moves the clock forward by d (backward when d < 0).
func (s *Settable) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = s.at.Add(d)
}

// EnvVar names the variable that sets the start of the test suite's clock:
// an RFC 3339 instant, e.g. TEST_CLOCK=2027-01-01T00:15:00Z.
const EnvVar = "TEST_CLOCK"

// ParseStart reads a TEST_CLOCK value: RFC 3339 with a zone
// ("2027-01-01T00:15:00Z", "2026-12-31T23:30:00-05:00").
func ParseStart(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s=%q: want an RFC 3339 instant such as 2027-01-01T00:15:00Z: %w", EnvVar, v, err)
	}
	return t, nil
}

var (
	suiteOnce  sync.Once
	suiteStart time.Time // TEST_CLOCK, or the real time the first test asked
	suiteMark  time.Time // real time of the first call
	suiteErr   error
)

// ForTest returns a new settable clock for one test, starting at the suite
// time: TEST_CLOCK (when set) plus the real time elapsed since this test
// process first asked, or the real time when TEST_CLOCK is unset. (go test
// runs one process per package: each package starts at TEST_CLOCK.) A
// malformed TEST_CLOCK panics: a suite must not silently run on today's date.
func ForTest() *Settable {
	return NewSettable(SuiteNow())
}

// SuiteNow is the suite's time (see ForTest), for tests that need "now"
// without a clock of their own.
func SuiteNow() time.Time {
	suiteOnce.Do(func() {
		suiteMark = time.Now()
		suiteStart = suiteMark
		if v := os.Getenv(EnvVar); v != "" {
			suiteStart, suiteErr = ParseStart(v)
		}
	})
	if suiteErr != nil {
		panic(suiteErr)
	}
	return suiteStart.Round(0).Add(time.Since(suiteMark))
}
