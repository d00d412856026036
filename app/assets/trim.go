package assets

import (
	"regexp"
	"strings"
)

// Trim drops the CSS rules no page of the portal can use, so the framework
// stylesheet (Pico, 83 KB) does not ship what it never applies:
//   - the dark theme (the layout declares color-scheme light, and no page sets
//     data-theme), and
//   - rules whose every selector needs a class, a component element (dialog,
//     progress, …) or an attribute (data-tooltip, role=switch, …) that no
//     template or script mentions.
//
// used reports whether a word appears in the templates or scripts. Trim is
// conservative: a word that appears anywhere (even in text) keeps its rules,
// and everything it does not understand is kept. @-rules other than @media
// and @supports are kept whole; rules inside those two are trimmed like
// top-level ones.
func Trim(css string, used func(word string) bool, others ...string) string {
	var b strings.Builder
	b.Grow(len(css))
	trimRules(&b, css, used)
	return dropUnusedProperties(b.String(), others)
}

var (
	reVarUse  = regexp.MustCompile(`var\((--[\w-]+)`)
	reVarDecl = regexp.MustCompile(`([{;])(--[\w-]+):((?:"[^"]*"|'[^']*'|[^;{}"'])*)(;?)`)
)

// dropUnusedProperties removes custom property declarations (--pico-…) that
// nothing reads with var(): not the stylesheet itself once trimmed, nor the
// other stylesheets given. Repeated until nothing changes, as a property may
// only be read by another unused one.
func dropUnusedProperties(css string, others []string) string {
	for {
		read := map[string]bool{}
		for _, s := range append([]string{css}, others...) {
			for _, m := range reVarUse.FindAllStringSubmatch(s, -1) {
				read[m[1]] = true
			}
		}
		out := reVarDecl.ReplaceAllStringFunc(css, func(d string) string {
			m := reVarDecl.FindStringSubmatch(d)
			if read[m[2]] {
				return d
			}
			return m[1]
		})
		out = strings.ReplaceAll(out, ";}", "}")
		if out == css {
			return out
		}
		css = out
	}
}

func trimRules(b *strings.Builder, css string, used func(string) bool) {
	for len(css) > 0 {
		open := strings.IndexByte(css, '{')
		semi := strings.IndexByte(css, ';')
		if open < 0 || (semi >= 0 && semi < open && strings.HasPrefix(strings.TrimSpace(css), "@")) {
			// A statement such as @charset "UTF-8"; (or trailing text).
			if semi < 0 {
				b.WriteString(css)
				return
			}
			b.WriteString(css[:semi+1])
			css = css[semi+1:]
			continue
		}
		end := matchingBrace(css, open)
		if end < 0 {
			b.WriteString(css) // malformed: keep the rest as it is
			return
		}
		prelude, body := css[:open], css[open+1:end]
		css = css[end+1:]
		head := strings.TrimSpace(stripComments(prelude))
		switch {
		case strings.HasPrefix(head, "@media") || strings.HasPrefix(head, "@supports"):
			if strings.Contains(strings.ReplaceAll(head, " ", ""), "prefers-color-scheme:dark") {
				continue
			}
			var inner strings.Builder
			trimRules(&inner, body, used)
			if strings.TrimSpace(inner.String()) != "" {
				b.WriteString(prelude + "{" + inner.String() + "}")
			}
		case strings.HasPrefix(head, "@"):
			b.WriteString(prelude + "{" + body + "}")
		default:
			if sel := keepSelectors(head, used); sel != "" {
				// Keep a leading comment (the licence) with the rule.
				if i := strings.LastIndex(prelude, "*/"); i >= 0 {
					b.WriteString(prelude[:i+2])
				}
				b.WriteString(sel + "{" + body + "}")
			}
		}
	}
}

func matchingBrace(s string, open int) int {
	depth := 0
	inStr := byte(0)
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var comment = regexp.MustCompile(`(?s)/\*.*?\*/`)

func stripComments(s string) string { return comment.ReplaceAllString(s, "") }

// keepSelectors returns the selectors of a list that may match something.
func keepSelectors(list string, used func(string) bool) string {
	var kept []string
	for _, sel := range splitTop(list) {
		if selectorUsable(sel, used) {
			kept = append(kept, sel)
		}
	}
	return strings.Join(kept, ",")
}

// splitTop splits at commas outside parentheses and brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// componentElements are the elements Pico styles that a page may well not
// have; every other element is assumed present.
var componentElements = map[string]bool{
	"dialog": true, "progress": true, "meter": true, "figure": true, "figcaption": true, "hgroup": true,
	"kbd": true, "mark": true, "ins": true, "del": true, "abbr": true, "address": true, "blockquote": true,
	"audio": true, "video": true, "canvas": true, "iframe": true, "picture": true, "sub": true, "sup": true,
}

var (
	reClass = regexp.MustCompile(`\.([A-Za-z_][\w-]*)`)
	reAttr  = regexp.MustCompile(`\[([\w-]+)(?:[~|^$*]?=["']?([\w-]+)["']?)?[^\]]*\]`)
	reElem  = regexp.MustCompile(`(?:^|[\s>+~(,])([a-z][a-z0-9]*)`)
)

// selectorUsable reports whether one selector may match: every class,
// component element and attribute it needs outside :not(), :where() and
// :is() is used; for :is() and :where(), one of their alternatives must be.
func selectorUsable(sel string, used func(string) bool) bool {
	sel = strings.TrimSpace(sel)
	// Functional pseudo-classes first.
	for {
		i := strings.Index(sel, ":")
		found := false
		for i >= 0 {
			rest := sel[i+1:]
			name := ""
			for _, f := range []string{"not(", "is(", "where(", "has("} {
				if strings.HasPrefix(rest, f) {
					name = f
				}
			}
			if name != "" {
				open := i + 1 + len(name) - 1
				end := matchingParen(sel, open)
				if end < 0 {
					return true
				}
				inner := sel[open+1 : end]
				if name != "not(" && name != "has(" {
					any := false
					for _, alt := range splitTop(inner) {
						if selectorUsable(alt, used) {
							any = true
							break
						}
					}
					if !any {
						return false
					}
				}
				sel = sel[:i] + sel[end+1:]
				found = true
				break
			}
			j := strings.Index(sel[i+1:], ":")
			if j < 0 {
				break
			}
			i += 1 + j
		}
		if !found {
			break
		}
	}
	// Pseudo-elements and simple pseudo-classes say nothing about the page.
	for _, m := range reAttr.FindAllStringSubmatch(sel, -1) {
		name, val := m[1], m[2]
		if !used(name) {
			return false
		}
		if val != "" && (name == "role" || name == "type" || strings.HasPrefix(name, "data-")) && !used(name+"="+val) {
			return false
		}
	}
	noAttrs := reAttr.ReplaceAllString(sel, "")
	for _, m := range reClass.FindAllStringSubmatch(noAttrs, -1) {
		if !used(m[1]) {
			return false
		}
	}
	for _, m := range reElem.FindAllStringSubmatch(reClass.ReplaceAllString(noAttrs, ""), -1) {
		if componentElements[m[1]] && !used(m[1]) {
			return false
		}
	}
	return true
}

func matchingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var reAttrValue = regexp.MustCompile(`([\w-]+)=["']([^"'{}]*)["']`)

// Words returns a set of the words (letters, digits, - and _) in texts, for
// Trim's used, and of name=value for each value of an HTML attribute
// (type=range), as role and type selectors need the attribute itself.
func Words(texts ...string) func(string) bool {
	set := map[string]bool{}
	for _, t := range texts {
		for _, m := range reAttrValue.FindAllStringSubmatch(t, -1) {
			for _, v := range strings.Fields(m[2]) {
				set[m[1]+"="+v] = true
			}
		}
	}
	isWord := func(r rune) bool {
		return r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !isWord(r) }) {
			set[w] = true
		}
	}
	return func(w string) bool { return set[w] }
}

var reCSSComment = regexp.MustCompile(`(?s)/\*[^!].*?\*/`)

// MinifyCSS drops comments (but /*! licences) and white space that means
// nothing: runs become one space, and none is kept around { } ; , >.
// Quoted strings are copied as they are.
func MinifyCSS(css string) string {
	var b strings.Builder
	b.Grow(len(css))
	space := false
	flushSpace := func(next byte) {
		if space && b.Len() > 0 && !strings.ContainsRune("{};,>", rune(next)) {
			last := b.String()[b.Len()-1]
			if !strings.ContainsRune("{};,>", rune(last)) {
				b.WriteByte(' ')
			}
		}
		space = false
	}
	for i := 0; i < len(css); i++ {
		c := css[i]
		switch {
		case c == '/' && i+1 < len(css) && css[i+1] == '*' && !(i+2 < len(css) && css[i+2] == '!'):
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += 2 + end + 1
			space = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
		case c == '"' || c == '\'':
			flushSpace(c)
			j := i + 1
			for j < len(css) && css[j] != c {
				if css[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(css))
			b.WriteString(css[i:end])
			i = end - 1
		default:
			flushSpace(c)
			b.WriteByte(c)
		}
	}
	return b.String()
}
