package markdown_test

import (
	"strings"
	"testing"

	"partnerportal/app/markdown"
)

func TestRenderIsSafe(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
		never     []string
	}{
		{"formatting", "# Title\n\n**bold** and _it_\n\n- a\n- b", []string{"<h1", "<strong>bold</strong>", "<em>it</em>", "<li>a</li>"}, nil},
		{"raw html dropped", "hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div onclick=\"x\">block</div>", []string{"hi"}, []string{"<script", "onerror", "onclick", "<div"}},
		{"javascript link dropped, words kept", "[click me](javascript:alert(1))", []string{"click me"}, []string{"javascript:", "href"}},
		{"data image dropped", "![x](data:image/svg+xml;base64,PHN2Zz4=)", nil, []string{"data:", "<img"}},
		{"protocol-relative dropped", "[x](//evil.example/)", nil, []string{"evil.example"}},
		{"http link noopener", "[docs](https://example.com/a?b=1&c=2)", []string{`href="https://example.com/a?b=1&amp;c=2"`, `rel="noopener noreferrer nofollow"`}, nil},
		{"autolink", "see https://example.com now", []string{`href="https://example.com"`}, nil},
		{"relative link kept", "[lesson](/training/1)", []string{`href="/training/1"`, "noopener"}, nil},
		{"entity in text escaped", "a < b & \"c\"", []string{"a &lt; b &amp; &quot;c&quot;"}, nil},
	}
	for _, c := range cases {
		got := string(markdown.Render(c.src))
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		for _, n := range c.never {
			if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
				t.Errorf("%s: %q contains %q", c.name, got, n)
			}
		}
	}
}

func TestPlain(t *testing.T) {
	got := markdown.Plain("# Grow *with* us\n\nWe build [Shopify](https://shopify.com) stores.\nFast.")
	if got != "Grow with us We build Shopify stores. Fast." {
		t.Errorf("Plain = %q", got)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("[a](javascript:x) <b onclick=1>")
	f.Fuzz(func(t *testing.T, src string) {
		out := strings.ToLower(string(markdown.Render(src)))
		if strings.Contains(out, "<script") || strings.Contains(out, "javascript:") && strings.Contains(out, "href=\"javascript") {
			t.Fatalf("unsafe output %q", out)
		}
	})
}
