package assets

import (
	"strings"
	"testing"
)

func TestMinifyCSS(t *testing.T) {
	for in, want := range map[string]string{
		"a  b { color : red ; }\n/* note */ c>d{x:y}":          "a b{color : red;}c>d{x:y}",
		`.x::before { content: "a ; b  {" / ""; } /*! keep */`: `.x::before{content: "a ; b  {" / "";}/*! keep */`,
		`p { margin: calc(1rem + 2px) 0 }`:                     `p{margin: calc(1rem + 2px) 0}`,
		`a[x='q , r'] , b {}`:                                  `a[x='q , r'],b{}`,
	} {
		if got := MinifyCSS(in); got != want {
			t.Errorf("MinifyCSS(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrim(t *testing.T) {
	used := Words(`<main class="container"><button type="submit">Go</button><input type="search" data-x="1"></main>`)
	css := `@charset "UTF-8";/*! licence */:root{--a:1;--b:var(--a);--c:2}` +
		`.container{width:var(--b)}.grid{display:grid}` +
		`[type=range]{x:1}[type=search],[type=submit]{y:2}` +
		`dialog{z:1}:is(.grid,.container) p{w:1}:is(.grid,.modal){v:1}` +
		`a:not(.grid){u:1}[data-tooltip]{t:1}` +
		`@media (prefers-color-scheme:dark){:root{--a:9}}@media (min-width:1px){.grid{q:1}.container{q:2}}` +
		`@supports selector(:has(*)){[role=group]:has(button){r:1}}@keyframes k{from{o:0}}`
	got := Trim(css, used)
	want := `@charset "UTF-8";/*! licence */:root{--a:1;--b:var(--a)}` +
		`.container{width:var(--b)}` +
		`[type=search],[type=submit]{y:2}` +
		`:is(.grid,.container) p{w:1}` +
		`a:not(.grid){u:1}` +
		`@media (min-width:1px){.container{q:2}}` +
		`@keyframes k{from{o:0}}`
	if got != want {
		t.Errorf("Trim:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(Trim(css, used, "x{y:var(--c)}"), "--c:2") {
		t.Error("a property read by another stylesheet was dropped")
	}
}
