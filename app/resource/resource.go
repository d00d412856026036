// Package resource holds the rules of Partner Room files that the web tier
// and the worker share: which sniffed types are accepted and how they are
// shown, where a version's file and previews live in storage, and the work
// done after an upload (extracting the text for search, making previews).
//
// The type always comes from the bytes (media.Sniff), never from the name
// or the browser; the name only refines plain text into Markdown or CSV.
// Previews are images made here and re-encoded by media.Image (pixels only:
// polyglots and decompression bombs do not get through); a ZIP is stored as
// is and never unpacked.
package resource

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"partnerportal/app/media"
)

// Preview kinds: how the resource page shows a version.
const (
	KindImage = "image" // thumbnail made by the worker
	KindPDF   = "pdf"   // page images made by the worker
	KindVideo = "video" // the browser's player on the file itself (Range)
	KindText  = "text"  // plain text, shown as text
	KindMD    = "markdown"
	KindOther = "other" // icon, name, type and size
)

// MaxTextPreview bounds the text or Markdown file the page renders inline;
// a longer one is shown as its first MaxTextPreview bytes.
const MaxTextPreview = 256 << 10

// Type refines a sniffed MIME type with the file name where the bytes cannot
// tell (plain text named .md is Markdown, .csv is CSV). It never upgrades a
// type into one the bytes do not support.
func Type(sniffed, name string) string {
	if sniffed == "text/plain" {
		switch strings.ToLower(path.Ext(name)) {
		case ".md", ".markdown":
			return "text/markdown"
		case ".csv":
			return "text/csv"
		}
	}
	return sniffed
}

// Allowed reports whether typ is in the configured list.
func Allowed(typ string, allowed []string) bool {
	return slices.Contains(allowed, typ)
}

// ErrType is the refusal of a type not in the list.
type ErrType struct{ Type string }

func (e ErrType) Error() string {
	return fmt.Sprintf("files of type %s are not accepted here", e.Type)
}

// Kind says how a version of this type is previewed.
func Kind(typ string) string {
	switch {
	case media.IsImage(typ):
		return KindImage
	case typ == "application/pdf":
		return KindPDF
	case typ == "video/mp4" || typ == "video/webm":
		return KindVideo
	case typ == "text/markdown":
		return KindMD
	case typ == "text/plain" || typ == "text/csv":
		return KindText
	}
	return KindOther
}

// NeedsWorker reports whether an upload of this type waits for the worker
// (text to extract or previews to make); other types are ready at once.
func NeedsWorker(typ string) bool {
	switch Kind(typ) {
	case KindImage, KindPDF, KindText, KindMD:
		return true
	}
	return false
}

// InlineType is the Content-Type a file response may carry when shown in
// the page, or "" when it must be an attachment. HTML, SVG, XML and anything
// not on media's safe list never render inline; Markdown and CSV go out as
// text/plain.
func InlineType(typ string) string {
	switch typ {
	case "text/markdown", "text/csv":
		return "text/plain; charset=utf-8"
	case "text/plain":
		return "text/plain; charset=utf-8"
	}
	if media.SafeInline(typ) {
		return typ
	}
	return ""
}

// FileKey is where a version's file lives.
func FileKey(orgID, resourceID, versionID int64) string {
	return fmt.Sprintf("org/%d/resources/%d/v%d/file", orgID, resourceID, versionID)
}

// PreviewKey is where page n (1-based) of a version's preview lives.
func PreviewKey(orgID, resourceID, versionID int64, n int) string {
	return fmt.Sprintf("org/%d/resources/%d/v%d/preview-%d", orgID, resourceID, versionID, n)
}

// Size formats a byte count for people.
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
