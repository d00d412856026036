package clicks

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzDestination: a destination accepted by Allowed stays on an allowed
// host after the UTM parameters and the click id are added, and the click id
// can be read back from it.
func FuzzDestination(f *testing.F) {
	for _, d := range []string{"https://www.example.com/signup", "https://www.example.com/signup?a=1#top", "https://evil.example/",
		"https://www.example.com.evil.example/", "https://user@www.example.com/", "javascript:alert(1)", "//www.example.com/",
		"https://www.example.com/../admin", "https://WWW.EXAMPLE.COM/signup/x", "https://www.example.com/signupx", "\x00", "\xff"} {
		f.Add(d, "newsletter", "email", "spring", "abcdefghijklmnopqrstuv")
	}
	f.Add("https://www.example.com/signup", "a&b=c", "#", "?", "x")
	prefixes := []string{"https://www.example.com/signup", "https://shop.example.com/"}
	f.Fuzz(func(t *testing.T, dest, source, medium, campaign, clickID string) {
		_ = IsBot(source)
		if !Allowed(dest, prefixes) {
			return
		}
		final := AppendClickID(WithUTM(dest, source, medium, campaign), url.QueryEscape(clickID))
		u, err := url.Parse(final)
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", dest, final, err)
		}
		host := strings.ToLower(u.Host)
		if host != "www.example.com" && host != "shop.example.com" {
			t.Fatalf("%q → %q leaves the allowed hosts", dest, final)
		}
		if got := u.Query().Get(ClickParam); got != clickID && !strings.Contains(dest, ClickParam) {
			t.Fatalf("%q → %q: click id %q read back as %q", dest, final, clickID, got)
		}
	})
}
