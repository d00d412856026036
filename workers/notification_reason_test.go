package workers

import (
	"strings"
	"testing"
)

// TestNotificationReason: an invoice email does not say the admin gets it
// because they "work with this lead".
func TestNotificationReason(t *testing.T) {
	for link, want := range map[string]string{
		"/leads/42":            "work with this lead",
		"/payments/invoices/7": "admin of your company",
		"/manage/payout":       "admin of your company",
		"/payments":            "earns commissions",
		"/training?tab=x":      "take training",
		"":                     "have an account",
	} {
		if got := notificationReason(link); !strings.Contains(got, want) {
			t.Errorf("%q: %q", link, got)
		}
	}
}
