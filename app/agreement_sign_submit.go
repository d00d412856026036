package app

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// signAgreement stores the company's signature of the agreement version the
// page showed. The form names the version and the hash of the text it showed;
// unless both still match the first version waiting for a signature, nothing
// is stored and the current text is shown again. Invalid input comes back as
// the same page with field errors (422).
func (h *Handler) signAgreement(c *fiber.Ctx) error {
	u := currentUser(c)
	pending, err := h.pendingAgreements(c, u)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		h.flash(c, "Your company has no agreement waiting for a signature.")
		return redirect(c, "/dashboard")
	}
	done, _ := strconv.Atoi(c.FormValue("done"))
	done = signedSoFar(done)
	p := h.newPage(c, "Sign the partner agreement")
	p.Form = map[string]string{
		"signer_name": strings.TrimSpace(c.FormValue("signer_name")),
		"consent":     c.FormValue("consent"),
		"kind":        c.FormValue("kind"),
		"signature":   c.FormValue("signature"),
	}

	// Never store a signature for text the user did not see.
	v := pending[0]
	if notice := staleSignForm(c, v); notice != "" {
		p.Form["consent"] = "" // consent was given to other text
		return h.renderAgreementSign(c, fiber.StatusConflict, p, pending, done, notice)
	}

	errs := map[string]string{}
	name := p.Form["signer_name"]
	if n := utf8.RuneCountInString(name); n < minSignerName || n > maxSignerName {
		errs["signer_name"] = "Type your full name (2 to 200 characters)."
	} else if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		errs["signer_name"] = "Type your full name using letters, spaces and punctuation only."
	}
	if p.Form["consent"] == "" {
		errs["consent"] = "Tick the box to confirm that you have read the agreement and accept it."
	}
	image := ""
	switch p.Form["kind"] {
	case "typed":
	case "drawn":
		if msg := signatureImageProblem(p.Form["signature"]); msg != "" {
			errs["signature"] = msg
			p.Form["signature"] = "" // do not send an unusable drawing back
		} else {
			image = p.Form["signature"]
		}
	default:
		errs["kind"] = "Choose whether to draw your signature or use your typed name."
	}
	if len(errs) > 0 {
		p.Errors = errs
		return h.renderAgreementSign(c, fiber.StatusUnprocessableEntity, p, pending, done, "")
	}

	id, err := h.Store.CreateSignature(c.Context(), queries.CreateSignatureParams{SignedAt: h.Clock.Now(),
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID, AgreementVersionID: v.ID, UserID: &u.ID,
		SignerName: name, SignerEmail: u.Email, SignatureKind: p.Form["kind"], SignatureImage: image,
		SignedTextSha256: agreementHash(v.Body), Ip: h.clientIP(c), UserAgent: cleanUserAgent(c.Get(fiber.HeaderUserAgent)),
	})
	switch {
	case queries.IsNotFound(err):
		// A colleague signed this version a moment earlier: the company is covered.
		h.Log.Info("agreement already signed by the company", "partner_id", u.PartnerID, "version_id", v.ID)
	case err != nil:
		return err
	default:
		h.Log.Info("agreement signed", "signature_id", id, "partner_id", u.PartnerID, "version_id", v.ID, "user_id", u.ID)
	}

	remaining, err := h.pendingAgreements(c, u)
	if err != nil {
		return err
	}
	if len(remaining) == 0 {
		h.flash(c, "Thank you, "+v.Title+" is signed. You can use the portal now.")
		return redirect(c, "/dashboard")
	}
	h.flash(c, v.Title+" is signed. One more agreement needs your signature before you continue.")
	return redirect(c, "/agreements/sign?done="+strconv.Itoa(done+1))
}

// staleSignForm explains why the submitted form does not match the version
// waiting for a signature, or returns "" when it does.
func staleSignForm(c *fiber.Ctx, v queries.ListUnsignedAgreementVersionsRow) string {
	id, err := strconv.ParseInt(c.FormValue("version_id"), 10, 64)
	if err != nil || id != v.ID {
		return "The version you were reading is no longer the one waiting for your signature: " +
			"a newer version was published or someone at your company has signed it. Nothing was signed. " +
			"Please read the text below before you sign."
	}
	sent, err := hex.DecodeString(c.FormValue("sha256"))
	if err != nil || !bytes.Equal(sent, agreementHash(v.Body)) {
		return "The agreement text has changed since this page was loaded. Nothing was signed. " +
			"Please read the current text below before you sign."
	}
	return ""
}

// cleanUserAgent keeps the header storable: valid UTF-8, bounded length.
func cleanUserAgent(ua string) string {
	ua = strings.ToValidUTF8(ua, "")
	ua = strings.ReplaceAll(ua, "\x00", "")
	if len(ua) > maxUserAgent {
		ua = strings.ToValidUTF8(ua[:maxUserAgent], "")
	}
	return ua
}
