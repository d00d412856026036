// Package config reads the portal's settings from environment variables.
// Every setting has a default that works on a laptop; Load validates them all
// at start-up so a typo fails fast instead of at the first request.
package config

import (
	"crypto/ed25519"
	"encoding/base64"
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
	// DBMaxConns is the size of each process's PostgreSQL pool.
	DBMaxConns int32
	// StorageBackend is "local" (StorageDir) or "s3" (the S3 fields).
	StorageBackend string
	S3Endpoint     *url.URL // http(s)://host:port of an S3-compatible store
	S3Bucket       string
	S3Region       string
	S3AccessKey    string
	S3SecretKey    string // never logged
	// UploadMaxBytes bounds one uploaded file; UploadAllowedTypes lists the
	// sniffed MIME types Partner Room accepts.
	UploadMaxBytes     int64
	UploadAllowedTypes []string
	// BadgeSigningKey signs certificates as Open Badges 3.0 VC-JWT; nil when
	// BADGE_SIGNING_KEY is unset (`dev` then keeps one in .data/).
	BadgeSigningKey ed25519.PrivateKey
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
	{"DB_MAX_CONNS", "16", "PostgreSQL connections each process (web, worker) may hold at once. pgx's own default (4 on a 2-core machine) makes pages queue for a connection under concurrent load; keep web processes × this below PostgreSQL's `max_connections` (100 by default)."},
	{"STORAGE_BACKEND", "local", "Where files live: `local` (the directory STORAGE_DIR) or `s3` (any S3-compatible object store, settings below; for several web processes without a shared disk)."},
	{"S3_ENDPOINT", "", "With STORAGE_BACKEND=s3: the store's address, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:7070`."},
	{"S3_BUCKET", "", "With STORAGE_BACKEND=s3: the bucket (must exist)."},
	{"S3_REGION", "us-east-1", "With STORAGE_BACKEND=s3: the bucket's region."},
	{"S3_ACCESS_KEY", "", "With STORAGE_BACKEND=s3: the access key id."},
	{"S3_SECRET_KEY", "", "With STORAGE_BACKEND=s3: the secret key (never logged)."},
	{"UPLOAD_MAX_BYTES", "104857600", "Largest file staff may upload to Partner Room or to a training lesson (video, attachment), in bytes (default 100 MB). Uploads stream to storage; a larger one is refused with a message."},
	{"UPLOAD_ALLOWED_TYPES", "application/pdf,image/png,image/jpeg,image/gif,image/webp,video/mp4,video/webm,text/plain,text/markdown,text/csv,application/zip,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.presentationml.presentation,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Comma-separated MIME types Partner Room accepts, as sniffed from the file's content (never its name). `text/markdown` means plain text named `.md`. HTML, SVG and XML are never shown inline even if listed."},
	{"BADGE_SIGNING_KEY", "", "Base64 of a 32-byte Ed25519 seed (`openssl rand -base64 32`) that signs certificates as Open Badges 3.0 credentials (`/verify/{id}.json`); its public key is published at `/.well-known/jwks.json` and `/.well-known/did.json`. Unset: `dev` creates one in `.data/badge_signing_key`; `web` serves the verification page but not the signed credential."},
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
	if n, err := strconv.Atoi(get("DB_MAX_CONNS")); err != nil || n < 1 || n > 1000 {
		bad("DB_MAX_CONNS", "want a whole number between 1 and 1000")
	} else {
		c.DBMaxConns = int32(n)
	}
	c.StorageBackend = strings.ToLower(get("STORAGE_BACKEND"))
	switch c.StorageBackend {
	case "local":
	case "s3":
		u, err := url.Parse(get("S3_ENDPOINT"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("S3_ENDPOINT", "want http(s)://host[:port]")
		} else {
			c.S3Endpoint = u
		}
		c.S3Bucket, c.S3Region, c.S3AccessKey, c.S3SecretKey = get("S3_BUCKET"), get("S3_REGION"), get("S3_ACCESS_KEY"), get("S3_SECRET_KEY")
		for name, v := range map[string]string{"S3_BUCKET": c.S3Bucket, "S3_ACCESS_KEY": c.S3AccessKey, "S3_SECRET_KEY": c.S3SecretKey} {
			if v == "" {
				bad(name, "required with STORAGE_BACKEND=s3")
			}
		}
	default:
		bad("STORAGE_BACKEND", "want local or s3")
	}
	if n, err := strconv.ParseInt(get("UPLOAD_MAX_BYTES"), 10, 64); err != nil || n < 1024 || n > 50<<30 {
		bad("UPLOAD_MAX_BYTES", "want a number of bytes between 1024 and 53687091200")
	} else {
		c.UploadMaxBytes = n
	}
	for _, t := range strings.Split(get("UPLOAD_ALLOWED_TYPES"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if !strings.Contains(t, "/") || strings.ContainsAny(t, " ;") {
			bad("UPLOAD_ALLOWED_TYPES", "%q is not a MIME type such as application/pdf", t)
		}
		c.UploadAllowedTypes = append(c.UploadAllowedTypes, t)
	}
	if raw := get("BADGE_SIGNING_KEY"); raw != "" {
		key, err := ParseEd25519Seed(raw)
		if err != nil {
			bad("BADGE_SIGNING_KEY", "%v", err)
		}
		c.BadgeSigningKey = key
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

// ParseEd25519Seed reads the base64 (standard or URL alphabet, padded or
// not) of a 32-byte Ed25519 seed.
func ParseEd25519Seed(s string) (ed25519.PrivateKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(b), nil
		}
	}
	return nil, errors.New("want the base64 of a 32-byte Ed25519 seed (e.g. `openssl rand -base64 32`)")
}
