package app

// TEMPORARY while helpers build these handlers; each is deleted from this file
// when its real implementation lands. This file must be gone before commit.

import "github.com/gofiber/fiber/v2"

func (h *Handler) showAgreementSign(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (h *Handler) signAgreement(c *fiber.Ctx) error         { return fiber.ErrNotImplemented }
func (h *Handler) showSignedAgreement(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (h *Handler) showConsoleAgreements(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handler) createAgreement(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (h *Handler) updateAgreementSettings(c *fiber.Ctx) error {
	return fiber.ErrNotImplemented
}
func (h *Handler) showConsoleAgreement(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handler) saveAgreementDraft(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (h *Handler) publishAgreement(c *fiber.Ctx) error     { return fiber.ErrNotImplemented }
func (h *Handler) setAgreementEnabled(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (h *Handler) showConsoleSignature(c *fiber.Ctx) error { return fiber.ErrNotImplemented }

func (h *Handler) showTeam(c *fiber.Ctx) error              { return fiber.ErrNotImplemented }
func (h *Handler) showInvite(c *fiber.Ctx) error            { return fiber.ErrNotImplemented }
func (h *Handler) inviteUser(c *fiber.Ctx) error            { return fiber.ErrNotImplemented }
func (h *Handler) updateUserRole(c *fiber.Ctx) error        { return fiber.ErrNotImplemented }
func (h *Handler) showPartnerSettings(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
func (h *Handler) updatePartnerSettings(c *fiber.Ctx) error { return fiber.ErrNotImplemented }
func (h *Handler) showPayoutSettings(c *fiber.Ctx) error    { return fiber.ErrNotImplemented }
func (h *Handler) updatePayoutSettings(c *fiber.Ctx) error  { return fiber.ErrNotImplemented }
func (h *Handler) showConsoleHome(c *fiber.Ctx) error       { return fiber.ErrNotImplemented }
func (h *Handler) showConsolePartners(c *fiber.Ctx) error   { return fiber.ErrNotImplemented }
