// Package clicks is the tracking-link click pipeline: the link cache the
// redirect reads, the bot filter, the recorder that buffers clicks into a
// Redis stream, and the rollup that moves them into PostgreSQL exactly once.
package clicks

import (
	"regexp"
	"strings"
)

// botRe matches crawlers, link-preview fetchers (chat apps, social networks,
// mail scanners) and command-line clients. Their requests still get the
// redirect; they are just not counted as clicks.
var botRe = regexp.MustCompile(`(?i)bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|` +
	`embedly|quora link|whatsapp|telegram|skypeuripreview|slack|discord|linkedin|pinterest|vkshare|w3c_validator|` +
	`headlesschrome|phantomjs|python-requests|python-urllib|go-http-client|curl/|wget/|libwww|okhttp|apache-httpclient|` +
	`google-inspectiontool|googleother|bingpreview|yahoo|baidu|yandex|duckduck|applebot|petalbot|semrush|ahrefs|` +
	`mj12bot|dotbot|barracuda|proofpoint|mimecast|safelinks|symantec|microsoft office|outlook-ios|outlook-android`)

// IsBot reports whether a request with this User-Agent should not count.
// An empty User-Agent is a script, not a person.
func IsBot(userAgent string) bool {
	ua := strings.TrimSpace(userAgent)
	return ua == "" || botRe.MatchString(ua)
}
