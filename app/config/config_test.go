package config

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table must list every variable with its default.
func TestREADMEListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, v := range Vars {
		def := "(unset)"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		if !strings.Contains(readme, "| `"+v.Name+"` | "+def+" |") {
			t.Errorf("README.md configuration table lacks %s with default %s", v.Name, def)
		}
	}
}

func TestDefaultsAreValid(t *testing.T) {
	for _, v := range Vars {
		t.Setenv(v.Name, "")
	}
	c, err := Load()
	if err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Secure() || c.LoginLinkTTL.Minutes() != 15 {
		t.Fatalf("unexpected defaults: secure=%v ttl=%v", c.Secure(), c.LoginLinkTTL)
	}
}

func TestBadValuesAreNamed(t *testing.T) {
	cases := map[string]string{
		"DATABASE_URL":         "mysql://x",
		"REDIS_URL":            "http://x",
		"BASE_URL":             "partners.example.com",
		"SMTP_URL":             "http://mail",
		"SMTP_FROM":            "not an address",
		"LOGIN_LINK_TTL":       "forever",
		"SESSION_IDLE_TIMEOUT": "1s",
		"LOG_LEVEL":            "loud",
		"INVITE_TTL":           "1s",
		"EMAIL_CHANGE_TTL":     "soon",
		"TRUSTED_PROXIES":      "10.0.0.0/8,proxy.internal",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := Load()
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%q: error %v does not name the variable", name, value, err)
			}
		})
	}
}

func TestHTTPSBaseURLIsSecure(t *testing.T) {
	t.Setenv("BASE_URL", "https://partners.example.com/")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.BaseURL.String() != "https://partners.example.com" {
		t.Fatalf("secure=%v base=%s", c.Secure(), c.BaseURL)
	}
}

func TestRedactedHidesPassword(t *testing.T) {
	if got := Redacted("smtp://user:hunter2@mail:587"); strings.Contains(got, "hunter2") {
		t.Fatal(got)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Setenv("TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.7 ,::1/128")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.168.1.7/32 ::1/128" {
		t.Fatalf("prefixes %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "10.0.0.1/8x", ",", "example.com"} {
		t.Setenv("TRUSTED_PROXIES", bad)
		if _, err := Load(); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	t.Setenv("TRUSTED_PROXIES", "")
	if c, err := Load(); err != nil || c.TrustedProxies != nil || c.InviteTTL.Hours() != 168 {
		t.Fatalf("defaults: %v %v %v", err, c.TrustedProxies, c.InviteTTL)
	}
}
