// Package markdown renders text that partners and staff write (lesson
// bodies, profile descriptions, resource notes) to HTML that is safe to put in
// a page: github.com/yuin/goldmark (CommonMark + GFM tables, strikethrough,
// autolinks) with raw HTML dropped, link and image targets limited to http(s),
// mailto and relative addresses, and every link opened with
// rel="noopener noreferrer nofollow".
package markdown

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxBytes bounds the source Render accepts; longer input is cut there.
const MaxBytes = 256 << 10

var md = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100))),
	// html.WithUnsafe is NOT set: raw HTML blocks and inline HTML are
	// replaced by a comment, and javascript: URLs are dropped by goldmark too.
)

// Render turns Markdown into HTML for a template.
func Render(src string) template.HTML {
	if len(src) > MaxBytes {
		src = src[:MaxBytes]
	}
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(b.String()) //nolint:gosec // goldmark without WithUnsafe, links filtered below
}

// Plain returns the text of the Markdown without markup, for meta
// descriptions and search snippets.
func Plain(src string) string {
	if len(src) > MaxBytes {
		src = src[:MaxBytes]
	}
	s := []byte(src)
	doc := md.Parser().Parse(text.NewReader(s))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock && b.Len() > 0 {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(s))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.Label(s))
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// safeLinks removes links and images whose target is not http(s), mailto or
// relative, and marks the rest noopener.
type safeLinks struct{}

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var drop []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			if !allowed(string(l.Destination)) {
				drop = append(drop, n)
				return ast.WalkContinue, nil
			}
			l.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
		case *ast.AutoLink:
			if !allowed(string(l.URL(src))) {
				drop = append(drop, n)
			}
		case *ast.Image:
			if !allowed(string(l.Destination)) {
				drop = append(drop, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range drop {
		// Keep the words of a dropped link, lose its target.
		p := n.Parent()
		if p == nil {
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			p.InsertBefore(p, n, c)
			c = next
		}
		p.RemoveChild(p, n)
	}
}

func allowed(dest string) bool {
	dest = strings.TrimSpace(dest)
	if dest == "" || strings.HasPrefix(dest, "#") {
		return true
	}
	u, err := url.Parse(dest)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	case "":
		// Relative, but not a protocol-relative //host address.
		return !strings.HasPrefix(dest, "//")
	}
	return false
}
