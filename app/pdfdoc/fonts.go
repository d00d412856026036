package pdfdoc

// Fonts parsed once per process. fpdf (v0.9.0) parses a UTF-8 TrueType font
// in AddUTF8FontFromBytes and again, whole, when it writes the document's
// subset (GenerateCutFont): for DejaVu Sans (6,000 glyphs, two styles) that
// was over half of an invoice's CPU. fpdf has no API to share a parsed font
// between documents, so this file keeps one parsed copy of each style and
// puts a copy of its definition into every new document through reflection
// on fpdf's unexported fields:
//
//   - the definition (metrics, widths, font id) is read-only after parsing
//     and shared; each document gets its own used-runes map and its own
//     shallow copy of the parsed file with its own read position, because
//     GenerateCutFont reassigns (never writes into) the file's tables;
//   - when a document is written, a style whose runes all lie in the Latin
//     set below is cut from a Latin subset of the font (a few hundred glyphs,
//     cut once per process) instead of from the whole font. Widths and the
//     text (written as Unicode CIDs) do not change, only the work of cutting.
//
// If fpdf's fields ever change shape (a new version), ready reports false
// and New falls back to AddUTF8FontFromBytes: slower, same output; the
// tests in this package fail loudly on that fallback so an upgrade notices.

import (
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/go-pdf/fpdf"
)

// latinRanges are the runes of the small subset: Basic Latin, Latin-1,
// Latin Extended-A (Ł, ł, ő, š ...), general punctuation (– — ‘ ’ “ ” • …),
// the currency signs (€ ₹ ₽ ...), № and ™, and the minus sign.
var latinRanges = [][2]rune{{0x20, 0x7e}, {0xa0, 0x17f}, {0x2000, 0x206f}, {0x20a0, 0x20cf}, {0x2116, 0x2116},
	{0x2122, 0x2122}, {0x2212, 0x2212}}

func inLatin(r int) bool {
	for _, g := range latinRanges {
		if rune(r) >= g[0] && rune(r) <= g[1] {
			return true
		}
	}
	return false
}

type prepared struct {
	ok    bool
	fonts reflect.Value // map[string]fontDefType of a document with both styles
	// latin holds, per font key, the parsed Latin subset of that style.
	latin map[string]reflect.Value // *utf8FontFile
}

var (
	prepOnce sync.Once
	prep     prepared
)

// field is an unexported field of a struct value made readable and settable.
func field(v reflect.Value, name string) (reflect.Value, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanAddr() {
		return reflect.Value{}, false
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), true
}

// fontsOf is the fonts map of a document.
func fontsOf(pdf *fpdf.Fpdf) (reflect.Value, bool) {
	m, ok := field(reflect.ValueOf(pdf).Elem(), "fonts")
	if !ok || m.Kind() != reflect.Map {
		return reflect.Value{}, false
	}
	return m, true
}

// fontShape checks a font definition has the fields this file uses.
func fontShape(def reflect.Value) bool {
	if def.Kind() != reflect.Struct {
		return false
	}
	runes, ok1 := field(def, "usedRunes")
	file, ok2 := field(def, "utf8File")
	if !ok1 || !ok2 || runes.Type() != reflect.TypeOf(map[int]int{}) || file.Kind() != reflect.Pointer {
		return false
	}
	reader, ok := field(file.Elem(), "fileReader")
	return ok && reader.Kind() == reflect.Pointer && !file.IsNil()
}

func prepare() prepared {
	var p prepared
	defer func() {
		if recover() != nil { // a field of another shape: use fpdf's own path
			p = prepared{}
		}
	}()
	proto := blank()
	proto.AddUTF8FontFromBytes(Font, "", regular)
	proto.AddUTF8FontFromBytes(Font, "B", bold)
	if proto.Err() {
		return p
	}
	fonts, ok := fontsOf(proto)
	if !ok || fonts.Len() != 2 {
		return p
	}
	var cut strings.Builder
	for _, g := range latinRanges {
		for r := g[0]; r <= g[1]; r++ {
			cut.WriteRune(r)
		}
	}
	p.latin = map[string]reflect.Value{}
	for it := fonts.MapRange(); it.Next(); {
		def := copyDef(it.Value())
		if !fontShape(def) {
			return p
		}
		// fpdf's key is the lower-cased family plus the style ("dejavuB").
		src := regular
		if it.Key().String() == strings.ToLower(Font)+"B" {
			src = bold
		}
		// Parse the cut subset the same way fpdf parses a font: through a
		// scratch document.
		sub := blank()
		sub.AddUTF8FontFromBytes(Font, "", fpdf.UTF8CutFont(src, cut.String()))
		if sub.Err() {
			return p
		}
		sf, ok := fontsOf(sub)
		if !ok || sf.Len() != 1 {
			return p
		}
		for st := sf.MapRange(); st.Next(); {
			sdef := copyDef(st.Value())
			if !fontShape(sdef) {
				return p
			}
			file, _ := field(sdef, "utf8File")
			p.latin[it.Key().String()] = file
		}
	}
	p.fonts, p.ok = fonts, true
	return p
}

// blank is a document as New makes it, before fonts are added (the used-runes
// map fpdf starts a font with depends on the document's settings).
func blank() *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	return pdf
}

// copyDef copies a font definition (a struct value from a map) into an
// addressable value.
func copyDef(v reflect.Value) reflect.Value {
	def := reflect.New(v.Type()).Elem()
	def.Set(v)
	return def
}

// copyFile is a shallow copy of a parsed font file with its own reader.
func copyFile(file reflect.Value) reflect.Value {
	nf := reflect.New(file.Type().Elem())
	nf.Elem().Set(file.Elem())
	reader, _ := field(nf.Elem(), "fileReader")
	nr := reflect.New(reader.Type().Elem())
	nr.Elem().Set(reader.Elem())
	reader.Set(nr)
	return nf
}

// addFonts registers both styles in pdf from the parsed copies; false when
// they are not available.
func addFonts(pdf *fpdf.Fpdf) bool {
	prepOnce.Do(func() { prep = prepare() })
	if !prep.ok {
		return false
	}
	dst, ok := fontsOf(pdf)
	if !ok {
		return false
	}
	for it := prep.fonts.MapRange(); it.Next(); {
		def := copyDef(it.Value())
		runes, _ := field(def, "usedRunes")
		own := make(map[int]int, runes.Len()+64)
		for r := runes.MapRange(); r.Next(); {
			own[int(r.Key().Int())] = int(r.Value().Int())
		}
		runes.Set(reflect.ValueOf(own))
		file, _ := field(def, "utf8File")
		file.Set(copyFile(file))
		dst.SetMapIndex(it.Key(), def)
	}
	return true
}

// useLatinSubsets points every style whose used runes all lie in the Latin
// set at (a copy of) its parsed Latin subset, just before pdf is written.
func useLatinSubsets(pdf *fpdf.Fpdf) {
	prepOnce.Do(func() { prep = prepare() }) // a document not made by New
	if !prep.ok {
		return
	}
	fonts, ok := fontsOf(pdf)
	if !ok {
		return
	}
	for it := fonts.MapRange(); it.Next(); {
		sub, ok := prep.latin[it.Key().String()]
		if !ok {
			continue
		}
		def := copyDef(it.Value())
		runes, _ := field(def, "usedRunes")
		latin := true
		for r := runes.MapRange(); r.Next(); {
			if v := int(r.Value().Int()); v != 0 && !inLatin(v) {
				latin = false
				break
			}
		}
		if !latin {
			continue
		}
		file, _ := field(def, "utf8File")
		file.Set(copyFile(sub))
		fonts.SetMapIndex(it.Key(), def)
	}
}
