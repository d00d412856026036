// Package config reads the portal's settings from environment variables.
// Every setting has a default that works on a laptop; Load validates them all
// at start-up so a typo fails fast instead of at the first request.
package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"partnerportal/app/vault"
)

// Config is the validated configuration shared by every subcommand.
type Config struct {
	DatabaseURL     string
	RedisURL        string
	BaseURL         *url.URL
	Addr            string
	SMTPURL         *url.URL // nil: emails are written to the log (dev only)
	SMTPFrom        string
	LoginLinkTTL    time.Duration
	SessionIdle     time.Duration
	SessionMaxAge   time.Duration
	LogLevel        string
	ShutdownTimeout time.Duration
	InviteTTL       time.Duration
	EmailChangeTTL  time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed; empty:
	// the direct peer is the client.
	TrustedProxies []netip.Prefix
	// StorageDir is where uploaded and generated files live on local disk.
	StorageDir string
	// PayoutKeys seal partner payout details at rest (app/vault); nil when
	// PAYOUT_KEYS is unset (`dev` then makes one and keeps it in .data/).
	PayoutKeys *vault.Keyring
}

// Secure reports whether the portal is served over HTTPS, which turns on
// Secure cookies with the __Host- prefix.
func (c *Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// Var documents one environment variable; the README table is generated from
// the same list so the two cannot drift.
type Var struct {
	Name, Default, Help string
}

// Vars lists every environment variable the portal reads.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partnerportal?sslmode=disable", "PostgreSQL connection URL. `dev` creates the database if it is missing."},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL for the Asynq queues, rate limits and (later) click counters."},
	{"BASE_URL", "http://localhost:8080", "Public URL of the portal, used in emailed links. `https://` turns on Secure `__Host-` cookies."},
	{"ADDR", ":8080", "Listen address of the web tier."},
	{"SMTP_URL", "", "`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Unset: `dev` writes emails to the log; `worker` refuses to start."},
	{"SMTP_FROM", "Partner Portal <no-reply@localhost>", "From address of outgoing email."},
	{"LOGIN_LINK_TTL", "15m", "How long a sign-in link stays valid."},
	{"SESSION_IDLE_TIMEOUT", "12h", "A session ends after this long without a request."},
	{"SESSION_MAX_AGE", "720h", "A session ends this long after sign-in, active or not."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"SHUTDOWN_TIMEOUT", "20s", "How long SIGTERM waits for in-flight requests and tasks."},
	{"INVITE_TTL", "168h", "How long an invitation link into a partner company stays valid (7 days)."},
	{"EMAIL_CHANGE_TTL", "24h", "How long the link that confirms a new sign-in address stays valid."},
	{"STORAGE_DIR", ".data/files", "Directory for uploaded and generated files (resources, course media, logos, PDFs) on local disk; created if missing. Several web processes need it on a shared volume."},
	{"PAYOUT_KEYS", "", "Keys that encrypt partner payout details (IBAN, BIC, account holder, PayPal) with AES-256-GCM: `id:base64key` entries (32 random bytes each, e.g. `k2026:$(openssl rand -base64 32)`), comma-separated, the first one current. To rotate, put a new key first, keep the old ones, and run `portal keys rotate`. Unset: `dev` generates one and keeps it in `.data/payout_keys`; `web` and `worker` start but cannot save or read payout details."},
	{"TRUSTED_PROXIES", "", "Comma-separated CIDRs (e.g. `10.0.0.0/8,127.0.0.1/32`) of the reverse proxies in front of the web tier. Only a request from one of them has its `X-Forwarded-For` believed (the rightmost address not itself a trusted proxy is the client); unset: the direct peer is the client. Rate limits count by that address."},
}

func get(name string) string {
	if v, ok := os.LookupEnv(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	panic("config: undeclared variable " + name)
}

// Load reads and validates the environment.
func Load() (*Config, error) {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	c := &Config{
		DatabaseURL: get("DATABASE_URL"),
		RedisURL:    get("REDIS_URL"),
		Addr:        get("ADDR"),
		SMTPFrom:    get("SMTP_FROM"),
		LogLevel:    strings.ToLower(get("LOG_LEVEL")),
		StorageDir:  get("STORAGE_DIR"),
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "want postgres://user@host:port/db")
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL", "want redis://host:port/db")
	}
	if u, err := url.Parse(get("BASE_URL")); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("BASE_URL", "want an absolute http(s) URL such as https://partners.example.com")
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.BaseURL = u
	}
	if raw := get("SMTP_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("SMTP_URL", "want smtp://user:pass@host:587 or smtps://user:pass@host:465")
		} else {
			c.SMTPURL = u
		}
	}
	if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		bad("SMTP_FROM", "not an email address: %v", err)
	}
	dur := func(name string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < min || d > max {
			bad(name, "want a duration between %s and %s (e.g. 15m)", min, max)
		}
		return d
	}
	c.LoginLinkTTL = dur("LOGIN_LINK_TTL", time.Minute, 24*time.Hour)
	c.SessionIdle = dur("SESSION_IDLE_TIMEOUT", 5*time.Minute, 90*24*time.Hour)
	c.SessionMaxAge = dur("SESSION_MAX_AGE", time.Hour, 365*24*time.Hour)
	c.ShutdownTimeout = dur("SHUTDOWN_TIMEOUT", time.Second, 10*time.Minute)
	c.InviteTTL = dur("INVITE_TTL", time.Hour, 30*24*time.Hour)
	c.EmailChangeTTL = dur("EMAIL_CHANGE_TTL", 10*time.Minute, 7*24*time.Hour)
	if raw := get("TRUSTED_PROXIES"); raw != "" {
		prefixes, err := ParseCIDRs(raw)
		if err != nil {
			bad("TRUSTED_PROXIES", "%v", err)
		}
		c.TrustedProxies = prefixes
	}
	if raw := get("PAYOUT_KEYS"); raw != "" {
		keys, err := vault.Parse(raw)
		if err != nil {
			bad("PAYOUT_KEYS", "%v", err) // never the key itself
		}
		c.PayoutKeys = keys
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "want debug, info, warn or error")
	}
	if _, err := strconv.Atoi(strings.TrimPrefix(c.Addr, ":")); strings.HasPrefix(c.Addr, ":") && err != nil {
		bad("ADDR", "want host:port or :port")
	}
	return c, errors.Join(errs...)
}

// ParseCIDRs reads a comma-separated list of CIDRs; a bare address counts as
// a single-host prefix.
func ParseCIDRs(raw string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8) nor an IP address", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	if len(out) == 0 {
		return nil, errors.New("want comma-separated CIDRs such as 10.0.0.0/8")
	}
	return out, nil
}

// Redacted returns a URL with its password replaced, safe for logs.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
