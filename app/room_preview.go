package app

import (
	"errors"
	"html/template"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/markdown"
	"partnerportal/app/resource"
	"partnerportal/app/storage"
	"partnerportal/queries"
)

// The preview of a resource's current file, shared by the partner's
// resource page and the console's: image thumbnail, PDF page images, the
// video player, rendered text or Markdown, or an icon with name, type and
// size; "preparing preview" (a fragment that polls itself every 2 s) while
// the worker works, and its failure when it failed.

type previewView struct {
	Base     string // the resource's address: "/partner-room/5" or "/console/resources/5"
	Version  *queries.ResourceVersion
	Kind     string
	Pages    []int
	Size     string
	TextHTML template.HTML
	Text     string
	Cut      bool // the text is longer than shown
}

func (h *Handler) makePreview(c *fiber.Ctx, base string, v *queries.ResourceVersion) (*previewView, error) {
	pv := &previewView{Base: base, Version: v}
	if v == nil {
		return pv, nil
	}
	pv.Kind = resource.Kind(v.Mime)
	pv.Size = resource.Size(v.SizeBytes)
	for n := 1; n <= int(v.PreviewPages); n++ {
		pv.Pages = append(pv.Pages, n)
	}
	if pv.Kind == resource.KindText || pv.Kind == resource.KindMD {
		o, err := h.Files.Open(c.Context(), v.StorageKey)
		if errors.Is(err, storage.ErrNotFound) {
			pv.Kind = resource.KindOther
			return pv, nil
		}
		if err != nil {
			return nil, err
		}
		defer o.Close()
		b, err := io.ReadAll(io.LimitReader(o, resource.MaxTextPreview))
		if err != nil {
			return nil, err
		}
		pv.Cut = v.SizeBytes > resource.MaxTextPreview
		text := resource.CleanText(b)
		if pv.Kind == resource.KindMD {
			pv.TextHTML = markdown.Render(text)
		} else {
			pv.Text = text
		}
	}
	return pv, nil
}

// renderPreview answers the polling fragment.
func (h *Handler) renderPreview(c *fiber.Ctx, base string, v *queries.ResourceVersion) error {
	pv, err := h.makePreview(c, base, v)
	if err != nil {
		return err
	}
	p := h.newPage(c, "Preview")
	p.Data = pv
	c.Vary("HX-Request")
	if v != nil && v.PreviewState != "pending" {
		announce(c, "The preview is ready.")
		if v.PreviewState == "failed" {
			announce(c, "The preview could not be made.")
		}
	}
	return c.Render("room/preview", p, "")
}

// servePage sends preview image n of a version (made by the worker,
// re-encoded: PNG or JPEG only).
func (h *Handler) servePage(c *fiber.Ctx, v queries.ResourceVersion) error {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > int(v.PreviewPages) || v.PreviewState != "ready" {
		return fiber.ErrNotFound
	}
	typ := "image/png"
	if v.Mime == "image/jpeg" {
		typ = "image/jpeg"
	}
	return h.serveStored(c, resource.PreviewKey(v.OrganizationID, v.ResourceID, v.ID, n),
		"preview-"+strconv.Itoa(n)+map[string]string{"image/png": ".png", "image/jpeg": ".jpg"}[typ], typ, true)
}
