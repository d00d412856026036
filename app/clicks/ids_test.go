package clicks

import "testing"

func TestNewIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		ids := NewIDs()
		if len(ids) != 2*IDLen || !ValidID([]byte(ids[:IDLen])) || !ValidID([]byte(ids[IDLen:])) {
			t.Fatalf("malformed ids %q", ids)
		}
		for _, id := range []string{ids[:IDLen], ids[IDLen:]} {
			if seen[id] {
				t.Fatalf("id %q came twice", id)
			}
			seen[id] = true
		}
	}
	for _, bad := range []string{"", "short", "0123456789abcdefghijk!", "0123456789abcdefghijklm"} {
		if ValidID([]byte(bad)) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
}

func BenchmarkNewIDs(b *testing.B) {
	for b.Loop() {
		NewIDs()
	}
}
