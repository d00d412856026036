package clicks

import (
	"strings"
	"testing"
)

func TestIsBot(t *testing.T) {
	bots := []string{
		"", "Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; bingbot/2.0)",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "facebookexternalhit/1.1",
		"Twitterbot/1.0", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)", "LinkedInBot/1.0",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36",
		"curl/8.5.0", "Wget/1.21", "python-requests/2.31", "Go-http-client/1.1", "Discordbot/2.0",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0)", "Microsoft Office/16.0", "AdsBot-Google",
	}
	people := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
		"Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
	}
	for _, ua := range bots {
		if !IsBot(ua) {
			t.Errorf("not flagged as a bot: %q", ua)
		}
	}
	for _, ua := range people {
		if IsBot(ua) {
			t.Errorf("a person flagged as a bot: %q", ua)
		}
	}
}

func BenchmarkIsBot(b *testing.B) {
	ua := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	for b.Loop() {
		IsBot(ua)
	}
}

// The fast scan must agree with the plain definition on every input.
func FuzzIsBotMatchesDefinition(f *testing.F) {
	for _, s := range []string{"", "  ", "Googlebot", "CUBOT x", "Mozilla/5.0 Chrome/126", "\u212Aelvin", "x curl/8",
		"SLACK", "outlook-android", "abot", "bot", "Cubot bot", strings.Repeat("a", 600) + "bot", " \tcurl/ "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		if IsBot(ua) != isBotSlow(ua) {
			t.Fatalf("IsBot(%q) = %v, the definition says %v", ua, IsBot(ua), isBotSlow(ua))
		}
	})
}

func TestIsBotMatchesDefinitionOnEveryToken(t *testing.T) {
	for _, tok := range botTokens {
		for _, ua := range []string{tok, "Mozilla/5.0 " + strings.ToUpper(tok) + "/1.0", "x" + tok[:len(tok)-1]} {
			if IsBot(ua) != isBotSlow(ua) {
				t.Errorf("IsBot(%q) = %v, the definition says %v", ua, IsBot(ua), isBotSlow(ua))
			}
		}
	}
}

func BenchmarkIsBotDefinition(b *testing.B) {
	ua := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	for b.Loop() {
		isBotSlow(ua)
	}
}
