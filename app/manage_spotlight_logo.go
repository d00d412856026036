package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"

	"github.com/gofiber/fiber/v2"

	"partnerportal/app/media"
	"partnerportal/app/spotlight"
	"partnerportal/app/storage"
	"partnerportal/queries"
)

// LogoSize is the side of the square PNG every directory logo is re-encoded to.
const LogoSize = 256

// squareLogo re-encodes an uploaded image into a LogoSize × LogoSize PNG: fitted
// inside the square (nothing cropped), centred on transparency.
func squareLogo(r io.Reader) ([]byte, error) {
	fitted, _, err := media.Image(r, LogoSize, LogoSize, false, media.PNG)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(fitted))
	if err != nil {
		return nil, err
	}
	canvas := image.NewNRGBA(image.Rect(0, 0, LogoSize, LogoSize))
	b := img.Bounds()
	at := image.Pt((LogoSize-b.Dx())/2, (LogoSize-b.Dy())/2)
	draw.Draw(canvas, image.Rectangle{Min: at, Max: at.Add(b.Size())}, img, b.Min, draw.Over)
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, canvas); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// storeLogo puts a finished logo PNG under the organization's key space and
// returns the key (named by its content, so a new logo gets a new URL).
func storeLogo(ctx context.Context, files storage.Store, orgID, partnerID int64, pngBytes []byte) (string, error) {
	sum := sha256.Sum256(pngBytes)
	key := fmt.Sprintf("org/%d/logos/%d-%s.png", orgID, partnerID, hex.EncodeToString(sum[:6]))
	_, err := files.Put(ctx, key, bytes.NewReader(pngBytes), int64(len(pngBytes)), "image/png")
	return key, err
}

// uploadSpotlightLogo takes a PNG, JPEG, GIF or WebP (sniffed from the bytes,
// never the name), re-encodes it, and sets it as the profile's logo.
func (h *Handler) uploadSpotlightLogo(c *fiber.Ctx) error {
	u := currentUser(c)
	ctx := c.Context()
	s, saved, err := h.loadSpotlight(ctx, u)
	if err != nil {
		return err
	}
	problem := ""
	var logo []byte
	fh, ferr := c.FormFile("logo")
	switch {
	case saved == nil:
		problem = "Save your profile first, then add the logo."
	case ferr != nil || fh.Size == 0:
		problem = "Choose an image file (PNG, JPEG or WebP)."
	default:
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		mime, r, err := media.SniffReader(f)
		if err != nil {
			return err
		}
		switch {
		case mime == "image/svg+xml" || mime == "text/xml" || mime == "application/xml":
			problem = "SVG is not accepted, upload PNG/JPEG/WebP."
		case !media.IsImage(mime):
			problem = "That file is not an image. Upload a PNG, JPEG or WebP."
		default:
			logo, err = squareLogo(r)
			switch {
			case errors.Is(err, media.ErrTooLarge):
				problem = "That image is too large (over 50 megapixels). Upload a smaller one."
			case errors.Is(err, media.ErrNotImage):
				problem = "That image could not be read. Upload a PNG, JPEG or WebP."
			case err != nil:
				return err
			}
		}
	}
	if problem != "" {
		p := h.newPage(c, "Spotlight")
		p.Errors = map[string]string{"logo": problem}
		f := spotlightForm{Settings: s, Saved: saved}
		if saved != nil {
			f.Profile = profileOf(*saved)
		}
		return h.renderSpotlight(c, fiber.StatusUnprocessableEntity, p, f)
	}
	key, err := storeLogo(ctx, h.Files, u.OrganizationID, u.PartnerID, logo)
	if err != nil {
		return err
	}
	if err := h.Store.SetPartnerProfileLogo(ctx, queries.SetPartnerProfileLogoParams{OrganizationID: u.OrganizationID,
		PartnerID: u.PartnerID, LogoKey: key, Now: h.Clock.Now()}); err != nil {
		return err
	}
	msg := "Your logo is saved."
	if saved.State == spotlight.Published {
		msg = "Your logo is saved and live in the directory."
	}
	h.flash(c, msg)
	return redirect(c, "/manage/spotlight")
}

// showSpotlightLogo serves the company's own logo (any state: the editor
// and the preview show it before publication).
func (h *Handler) showSpotlightLogo(c *fiber.Ctx) error {
	u := currentUser(c)
	prof, err := h.Store.GetPartnerProfile(c.Context(), queries.GetPartnerProfileParams{OrganizationID: u.OrganizationID, PartnerID: u.PartnerID})
	if err != nil {
		return err
	}
	return h.sendLogo(c, prof.LogoKey, "private, max-age=300")
}

// sendLogo streams a stored logo PNG. It was re-encoded on upload, so it is
// a PNG whatever was sent; nosniff (set for every response) keeps it one.
func (h *Handler) sendLogo(c *fiber.Ctx, key, cache string) error {
	if key == "" {
		return fiber.ErrNotFound
	}
	obj, err := h.Files.Open(c.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	body, err := io.ReadAll(io.LimitReader(obj, 4<<20))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, cache)
	c.Set("Cross-Origin-Resource-Policy", "same-site")
	return c.Send(body)
}
