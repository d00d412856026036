package clock

import (
	"os"
	"testing"
	"time"
)

func TestSettableStartsAtTheInstantAndTicks(t *testing.T) {
	start := time.Date(2027, 1, 1, 0, 15, 0, 0, time.UTC)
	c := NewSettable(start)
	a := c.Now()
	if a.Before(start) || a.Sub(start) > time.Second {
		t.Fatalf("Now() = %v, want just after %v", a, start)
	}
	b := c.Now()
	if b.Before(a) {
		t.Fatalf("clock went backwards: %v then %v", a, b)
	}
}

func TestSettableAdvanceAndSet(t *testing.T) {
	start := time.Date(2026, 3, 8, 1, 30, 0, 0, time.UTC)
	c := NewSettable(start)
	c.Advance(16 * time.Minute)
	if got := c.Now().Sub(start); got < 16*time.Minute || got > 16*time.Minute+time.Second {
		t.Fatalf("after Advance(16m): %v past the start", got)
	}
	c.Advance(-time.Hour)
	if got := c.Now().Sub(start); got < -44*time.Minute || got > -44*time.Minute+time.Second {
		t.Fatalf("after Advance(-1h): %v from the start", got)
	}
	at := time.Date(2030, 12, 31, 23, 59, 0, 0, time.UTC)
	c.Set(at)
	if got := c.Now(); got.Before(at) || got.Sub(at) > time.Second {
		t.Fatalf("after Set: %v, want %v", got, at)
	}
}

func TestSettableKeepsTheZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, ny)
	if got := NewSettable(at).Now(); !got.Round(time.Minute).Equal(at) {
		t.Fatalf("Now() = %v, want %v", got, at)
	}
}

func TestParseStart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2027-01-01T00:15:00Z", time.Date(2027, 1, 1, 0, 15, 0, 0, time.UTC), true},
		{"2026-12-31T23:30:00-05:00", time.Date(2027, 1, 1, 4, 30, 0, 0, time.UTC), true},
		{"2027-01-01", time.Time{}, false},
		{"tomorrow", time.Time{}, false},
		{"2027-01-01T00:15:00", time.Time{}, false}, // no zone: ambiguous
	} {
		got, err := ParseStart(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseStart(%q): err = %v, want ok = %v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && !got.Equal(tc.want) {
			t.Errorf("ParseStart(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestSuiteNowFollowsTheEnvironment(t *testing.T) {
	// SuiteNow reads TEST_CLOCK once per process; check against what it read.
	got := SuiteNow()
	if v, ok := os.LookupEnv(EnvVar); ok {
		start, err := ParseStart(v)
		if err != nil {
			t.Fatal(err)
		}
		if got.Before(start) || got.Sub(start) > 10*time.Minute {
			t.Fatalf("SuiteNow() = %v with %s=%s", got, EnvVar, v)
		}
	} else if d := time.Since(got); d < -time.Second || d > time.Second {
		t.Fatalf("SuiteNow() = %v without %s, want the real time", got, EnvVar)
	}
	a, b := ForTest(), ForTest()
	a.Advance(time.Hour)
	if d := a.Now().Sub(b.Now()); d < 59*time.Minute {
		t.Fatalf("advancing one test's clock moved another's: difference %v", d)
	}
}

func TestRealAndOr(t *testing.T) {
	if d := time.Since(Real{}.Now()); d < 0 || d > time.Second {
		t.Fatalf("Real.Now() is %v off", d)
	}
	if _, ok := Or(nil).(Real); !ok {
		t.Fatal("Or(nil) is not the real clock")
	}
	s := NewSettable(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if Or(s) != Clock(s) {
		t.Fatal("Or(c) is not c")
	}
}
