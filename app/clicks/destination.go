package clicks

import (
	"net/url"
	"strings"
)

// ClickParam is the query parameter carrying the click id to the vendor's site.
const ClickParam = "pp_click"

// WithUTM adds the link's UTM parameters to its destination (keeping any the
// destination already has).
func WithUTM(dest, source, medium, campaign string) string {
	if source == "" && medium == "" && campaign == "" {
		return dest
	}
	u, err := url.Parse(dest)
	if err != nil {
		return dest
	}
	q := u.Query()
	for k, v := range map[string]string{"utm_source": source, "utm_medium": medium, "utm_campaign": campaign} {
		if v != "" && q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// AppendClickID returns the destination with the click id added.
func AppendClickID(dest, clickID string) string {
	return string(AppendClickIDBytes(nil, dest, clickID))
}

// AppendClickIDBytes appends the destination with the click id added (before
// any #fragment) to dst.
func AppendClickIDBytes(dst []byte, dest, clickID string) []byte {
	frag := ""
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		dest, frag = dest[:i], dest[i:]
	}
	sep := byte('?')
	if strings.IndexByte(dest, '?') >= 0 {
		sep = '&'
	}
	dst = append(dst, dest...)
	dst = append(dst, sep)
	dst = append(dst, ClickParam...)
	dst = append(dst, '=')
	dst = append(dst, clickID...)
	return append(dst, frag...)
}

// Allowed reports whether dest starts with one of the organization's allowed
// destination prefixes (compared as parsed URLs: same scheme and host, and a
// path under the prefix's path), so a link can never become an open redirect.
func Allowed(dest string, prefixes []string) bool {
	d, err := url.Parse(dest)
	if err != nil || (d.Scheme != "https" && d.Scheme != "http") || d.Host == "" || d.User != nil {
		return false
	}
	for _, p := range prefixes {
		pu, err := url.Parse(p)
		if err != nil || pu.Host == "" {
			continue
		}
		if !strings.EqualFold(d.Scheme, pu.Scheme) || !strings.EqualFold(d.Host, pu.Host) {
			continue
		}
		base := strings.TrimSuffix(pu.Path, "/")
		if d.Path == base || strings.HasPrefix(d.Path, base+"/") || base == "" {
			return true
		}
	}
	return false
}
