// Package clicks is the tracking-link click pipeline: the link cache the
// redirect reads, the bot filter, the recorder that buffers clicks into a
// Redis stream, and the rollup that moves them into PostgreSQL exactly once.
package clicks

import "strings"

// botTokens are substrings (of the lower-cased User-Agent) of crawlers,
// link-preview fetchers (chat apps, social networks, mail scanners) and
// command-line clients. Their requests still get the redirect; they are just
// not counted. Plain substring checks: a regular expression of the same list
// cost ~130 µs per click, this costs ~1 µs.
var botTokens = []string{
	"crawl", "spider", "slurp", "preview", "facebookexternalhit", "facebookcatalog", "embedly", "quora link",
	"whatsapp", "telegram", "skypeuripreview", "slack", "discord", "linkedin", "pinterest", "vkshare",
	"w3c_validator", "headlesschrome", "phantomjs", "python-requests", "python-urllib", "go-http-client",
	"curl/", "wget/", "libwww", "okhttp", "apache-httpclient", "google-inspectiontool", "googleother",
	"bingpreview", "yahoo", "baidu", "yandex", "duckduck", "applebot", "petalbot", "semrush", "ahrefs",
	"mj12bot", "dotbot", "barracuda", "proofpoint", "mimecast", "safelinks", "symantec", "microsoft office",
	"outlook-ios", "outlook-android",
}

// IsBot reports whether a request with this User-Agent should not count.
// An empty User-Agent is a script, not a person.
func IsBot(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return true
	}
	for _, t := range botTokens {
		if strings.Contains(ua, t) {
			return true
		}
	}
	return hasBotWord(ua)
}

// hasBotWord finds a word ending in "bot" ("Googlebot/2.1", "AdsBot-Google",
// "bot;"), but not "bot" inside a word, and not "Cubot" phones (people).
func hasBotWord(ua string) bool {
	for i := 0; ; {
		j := strings.Index(ua[i:], "bot")
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+3
		if (end == len(ua) || !isLetter(ua[end])) && !strings.HasSuffix(ua[:start], "cu") {
			return true
		}
		i = end
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' }
