package app

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"partnerportal/queries"
)

// Access is who may reach a route. The route table below is the only place
// permissions are decided.
type Access int

const (
	Public       Access = iota // anyone, signed in or not
	SignedIn                   // any signed-in user (staff or partner)
	PartnerSign                // partner users, before the agreement gate
	Partner                    // partner users who passed the agreement gate
	PartnerAdmin               // partner admins who passed the agreement gate
	Staff                      // vendor staff of the organization
)

type route struct {
	method  string
	path    string
	access  Access
	handler fiber.Handler
}

// hotRoutes run before every other middleware (only panic recovery comes
// first): no session, no CSRF cookie, no request id. They read no cookie of
// ours that carries authority, so they need none of it, and a click must cost
// as little as possible.
func (h *Handler) hotRoutes() []route {
	return []route{
		{"GET", "/r/:code", Public, h.redirectLink},

		// Attribution: the script on the vendor's website and the sign-up API.
		// Public here because they authenticate themselves and never by a
		// cookie of ours: the script is public; POST /api/v1/signups needs an
		// API key; the browser endpoint needs an allowed CORS origin and a
		// valid click id. Being hot routes they also skip the session and CSRF
		// middleware, which is right: no ambient authority, nothing to forge
		// (see app/api.go).
		{"GET", "/t/:slug.js", Public, h.serveTrackScript},
		{"POST", "/api/v1/signups", Public, h.api(h.signupFromServer)},
		{"OPTIONS", "/api/v1/signups/browser", Public, h.api(h.signupPreflight)},
		{"POST", "/api/v1/signups/browser", Public, h.api(h.signupFromBrowser)},
	}
}

func (h *Handler) routes() []route {
	return []route{
		{"GET", "/metrics", Public, h.metrics},
		{"GET", "/healthz", Public, h.healthz},
		{"GET", "/readyz", Public, h.readyz},
		{"GET", "/", Public, h.home},

		// Certificate verification: public, no sign-in (app/verify.go).
		{"GET", "/verify/:id.json", Public, h.verifyJSON},
		{"GET", "/verify/:id", Public, h.showVerify},
		{"GET", "/.well-known/jwks.json", Public, h.jwks},
		{"GET", "/.well-known/did.json", Public, h.didDocument},

		// Sign-in by emailed link.
		{"GET", "/login", Public, h.showLogin},
		{"POST", "/login", Public, h.requestLoginLink},
		{"GET", "/login/:token", Public, h.showLoginConfirm},
		{"POST", "/login/:token", Public, h.confirmLogin},
		{"POST", "/logout", SignedIn, h.logout},
		// Links from account emails: an invitation, a new address's
		// confirmation, the old address's report. GET only reads.
		{"GET", "/invite/:token", Public, h.showInvitation},
		{"POST", "/invite/:token", Public, h.acceptInvitation},
		{"GET", "/account/email/confirm/:token", Public, h.showEmailConfirm},
		{"POST", "/account/email/confirm/:token", Public, h.confirmEmailChange},
		{"GET", "/account/email/report/:token", Public, h.showEmailReport},
		{"POST", "/account/email/report/:token", Public, h.reportEmailChange},

		// The public partner directory (Spotlight): no sign-in; framing
		// allowed for the organization's origins on these routes only.
		{"GET", "/partners/:org", Public, h.showDirectory},
		{"GET", "/partners/:org/sitemap.xml", Public, h.showDirectorySitemap},
		{"GET", "/partners/:org/:partner", Public, h.showDirectoryProfile},
		{"GET", "/partners/:org/:partner/logo.png", Public, h.showDirectoryLogo},
		{"GET", "/partners/:org/:partner/contact", Public, h.showDirectoryContact},
		{"POST", "/partners/:org/:partner/contact", Public, h.sendDirectoryContact},

		// Everyone signed in.
		{"GET", "/account", SignedIn, h.showAccount},
		{"POST", "/account", SignedIn, h.updateAccount},
		{"GET", "/notifications", SignedIn, h.showNotifications},
		{"POST", "/notifications/read", SignedIn, h.markNotificationsRead},

		// Partner agreements: reachable before signing.
		{"GET", "/agreements/sign", PartnerSign, h.showAgreementSign},
		{"POST", "/agreements/sign", PartnerSign, h.signAgreement},

		// The partner portal.
		{"GET", "/dashboard", Partner, h.showDashboard},
		// Tracking links and rewards (Dashboard tabs); writing links is for partner admins.
		{"GET", "/dashboard/links", Partner, h.showLinks},
		{"GET", "/dashboard/links/new", PartnerAdmin, h.showNewLink},
		{"POST", "/dashboard/links", PartnerAdmin, h.createLink},
		{"GET", "/dashboard/links/:id<int>", Partner, h.showLink},
		{"GET", "/dashboard/links/:id<int>/edit", PartnerAdmin, h.showEditLink},
		{"POST", "/dashboard/links/:id<int>/edit", PartnerAdmin, h.updateLink},
		{"POST", "/dashboard/links/:id<int>/active", PartnerAdmin, h.setLinkActive},
		{"GET", "/dashboard/rewards", Partner, h.showRewards},
		{"GET", "/leads", Partner, h.showLeads},
		{"GET", "/leads/export.csv", Partner, h.exportLeadsCSV},
		// Writing leads (edit/delete further limited by partnerCanEdit) and referrals.
		{"GET", "/leads/new", Partner, h.showNewLead},
		{"POST", "/leads/new", Partner, h.createLeadFromForm},
		{"GET", "/leads/referrals", Partner, h.showReferrals},
		{"GET", "/leads/:id<int>", Partner, h.showLead},
		{"GET", "/leads/:id<int>/edit", Partner, h.showEditLead},
		{"POST", "/leads/:id<int>/edit", Partner, h.updateLead},
		{"GET", "/leads/:id<int>/delete", Partner, h.showDeleteLead},
		{"POST", "/leads/:id<int>/delete", Partner, h.deleteLead},
		{"POST", "/leads/:id<int>/notes", Partner, h.addLeadNote},
		{"POST", "/leads/:id<int>/accept", Partner, h.acceptReferral},
		{"POST", "/leads/:id<int>/decline", Partner, h.declineReferral},
		{"GET", "/payments", Partner, h.showPayments},
		{"GET", "/payments/spiffs", Partner, h.showSpiffPayments},
		{"GET", "/payments/invoices", PartnerAdmin, h.showInvoices},
		// Training (app/training): catalog tabs, course, lessons, quiz, files.
		{"GET", "/payments/invoices/:id<int>", PartnerAdmin, h.showInvoice},
		{"GET", "/payments/invoices/:id<int>/pdf", PartnerAdmin, h.downloadInvoicePDF},
		{"GET", "/training", Partner, h.showTraining},
		// Partner Room: the resource library (visibility checked in every query).
		{"GET", "/training/courses/:id<int>", Partner, h.showCourse},
		{"POST", "/training/courses/:id<int>/enrol", Partner, h.enrolCourse},
		{"GET", "/training/courses/:id<int>/resume", Partner, h.resumeCourse},
		{"GET", "/training/courses/:id<int>/cover", Partner, h.courseCover},
		{"GET", "/training/courses/:id<int>/lessons/:lesson<int>", Partner, h.showLesson},
		{"POST", "/training/courses/:id<int>/lessons/:lesson<int>/done", Partner, h.markLessonDone},
		{"GET", "/training/courses/:id<int>/lessons/:lesson<int>/video", Partner, h.lessonVideo},
		{"GET", "/training/courses/:id<int>/lessons/:lesson<int>/attachment", Partner, h.lessonAttachment},
		{"GET", "/training/courses/:id<int>/quiz", Partner, h.showQuiz},
		{"POST", "/training/courses/:id<int>/quiz", Partner, h.submitQuiz},
		{"GET", "/training/certificates/:cert.pdf", Partner, h.certificatePDF},
		{"GET", "/training/accreditations/:id<int>/badge", SignedIn, h.accreditationBadge},
		{"GET", "/partner-room", Partner, h.showPartnerRoom},
		{"GET", "/partner-room/:id<int>", Partner, h.showRoomResource},
		{"GET", "/partner-room/:id<int>/preview", Partner, h.showRoomPreview},
		{"GET", "/partner-room/:id<int>/versions/:vid<int>/file", Partner, h.downloadRoomFile},
		{"GET", "/partner-room/:id<int>/versions/:vid<int>/pages/:n<int>", Partner, h.showRoomPage},
		{"GET", "/account/agreements/:id", Partner, h.showSignedAgreement},

		// Partner admins.
		{"GET", "/manage", PartnerAdmin, h.showTeam},
		{"GET", "/manage/invite", PartnerAdmin, h.showInvite},
		{"POST", "/manage/invite", PartnerAdmin, h.inviteUser},
		{"POST", "/manage/users/:id/role", PartnerAdmin, h.updateUserRole},
		{"POST", "/manage/invitations/:id/resend", PartnerAdmin, h.resendInvitation},
		{"POST", "/manage/invitations/:id/revoke", PartnerAdmin, h.revokeInvitation},
		{"GET", "/manage/users/:id/edit", PartnerAdmin, h.showEditMember},
		{"POST", "/manage/users/:id/edit", PartnerAdmin, h.updateMember},
		{"GET", "/manage/users/:id/remove", PartnerAdmin, h.showRemoveMember},
		{"POST", "/manage/users/:id/remove", PartnerAdmin, h.removeMember},
		{"GET", "/manage/organization", PartnerAdmin, h.showPartnerSettings},
		{"POST", "/manage/organization", PartnerAdmin, h.updatePartnerSettings},
		{"GET", "/manage/payout", PartnerAdmin, h.showPayoutSettings},
		{"POST", "/manage/payout", PartnerAdmin, h.updatePayoutSettings},
		{"GET", "/manage/billing", PartnerAdmin, h.showBillingDetails},
		{"POST", "/manage/billing", PartnerAdmin, h.updateBillingDetails},
		// Spotlight: the company's profile in the public partner directory.
		{"GET", "/manage/spotlight", PartnerAdmin, h.showSpotlight},
		{"POST", "/manage/spotlight", PartnerAdmin, h.saveSpotlight},
		{"POST", "/manage/spotlight/logo", PartnerAdmin, h.uploadSpotlightLogo},
		{"GET", "/manage/spotlight/logo.png", PartnerAdmin, h.showSpotlightLogo},
		{"GET", "/manage/spotlight/preview", PartnerAdmin, h.showSpotlightPreview},
		{"POST", "/manage/spotlight/publish", PartnerAdmin, h.publishSpotlight},
		{"POST", "/manage/spotlight/unpublish", PartnerAdmin, h.unpublishSpotlight},

		// The vendor console.
		{"GET", "/console", Staff, h.showConsoleHome},
		{"GET", "/console/partners", Staff, h.showConsolePartners},
		{"GET", "/console/partners/:id<int>", Staff, h.showConsolePartner},
		{"POST", "/console/partners/:id<int>/tier", Staff, h.changePartnerTier},
		{"GET", "/console/program", Staff, h.showConsoleProgram},
		{"POST", "/console/program/settings", Staff, h.saveProgramSettings},
		{"POST", "/console/program/tiers", Staff, h.createTier},
		{"POST", "/console/program/tiers/:id<int>", Staff, h.updateTier},
		{"POST", "/console/program/tiers/:id<int>/retire", Staff, h.retireTier},
		{"GET", "/console/spiffs", Staff, h.showConsoleSpiffs},
		{"POST", "/console/spiffs", Staff, h.createSpiff},
		{"POST", "/console/spiffs/:id<int>/status", Staff, h.setSpiffStatus},
		{"POST", "/console/spiffs/:id<int>/award", Staff, h.awardSpiff},
		{"GET", "/console/commissions", Staff, h.showConsoleCommissions},
		{"GET", "/console/commissions/export.csv", Staff, h.exportCommissionsCSV},
		{"POST", "/console/commissions/approve", Staff, h.approveCommissions},
		{"GET", "/console/commissions/adjust", Staff, h.showAdjustCommission},
		{"POST", "/console/commissions/adjust", Staff, h.adjustCommission},
		{"GET", "/console/commissions/:id<int>/void", Staff, h.showVoidCommission},
		{"POST", "/console/commissions/:id<int>/void", Staff, h.voidCommission},
		// Invoices and payouts: the list, one invoice, mark paid, void,
		// payout batches with their CSV and SEPA files, settings, Run now.
		{"GET", "/console/invoices", Staff, h.showConsoleInvoices},
		{"POST", "/console/invoices/paid", Staff, h.markInvoicesPaid},
		{"POST", "/console/invoices/run", Staff, h.runInvoicesNow},
		{"GET", "/console/invoices/settings", Staff, h.showInvoiceSettings},
		{"POST", "/console/invoices/settings", Staff, h.saveInvoiceSettings},
		{"GET", "/console/invoices/:id<int>", Staff, h.showConsoleInvoice},
		{"GET", "/console/invoices/:id<int>/pdf", Staff, h.downloadConsoleInvoicePDF},
		{"GET", "/console/invoices/:id<int>/void", Staff, h.showVoidInvoice},
		{"POST", "/console/invoices/:id<int>/void", Staff, h.voidInvoice},
		{"POST", "/console/payouts", Staff, h.createPayoutBatch},
		{"GET", "/console/payouts/:id<int>", Staff, h.showPayoutBatch},
		{"GET", "/console/payouts/:id<int>/payouts.csv", Staff, h.downloadPayoutCSV},
		{"GET", "/console/payouts/:id<int>/sepa.xml", Staff, h.downloadPayoutSEPA},
		{"POST", "/console/payouts/:id<int>/paid", Staff, h.payPayoutBatch},
		{"GET", "/console/partners/new", Staff, h.showNewPartner},
		{"POST", "/console/partners/new", Staff, h.createPartner},
		{"POST", "/console/partners/:id<int>/invitations/resend", Staff, h.resendPartnerInvitations},
		// Tracking-link settings and the sign-up API's keys.
		{"GET", "/console/settings", Staff, h.showConsoleSettings},
		{"POST", "/console/settings", Staff, h.updateConsoleSettings},
		{"GET", "/console/api-keys", Staff, h.showAPIKeys},
		{"POST", "/console/api-keys", Staff, h.createAPIKey},
		{"POST", "/console/api-keys/:id<int>/revoke", Staff, h.revokeAPIKey},
		// The public partner directory's settings and profile review (Spotlight).
		{"GET", "/console/directory", Staff, h.showConsoleDirectory},
		{"POST", "/console/directory", Staff, h.saveConsoleDirectory},
		{"POST", "/console/directory/profiles/:partner<int>", Staff, h.decideProfile},
		{"GET", "/console/agreements", Staff, h.showConsoleAgreements},
		{"POST", "/console/agreements", Staff, h.createAgreement},
		{"POST", "/console/agreements/settings", Staff, h.updateAgreementSettings},
		{"GET", "/console/agreements/:id", Staff, h.showConsoleAgreement},
		{"POST", "/console/agreements/:id", Staff, h.saveAgreementDraft},
		{"POST", "/console/agreements/:id/publish", Staff, h.publishAgreement},
		{"POST", "/console/agreements/:id/enabled", Staff, h.setAgreementEnabled},
		{"GET", "/console/signatures/:id", Staff, h.showConsoleSignature},
		// Training: courses, lessons, quiz, accreditations, reports, certificates.
		{"GET", "/console/training", Staff, h.showConsoleTraining},
		{"POST", "/console/training/courses", Staff, h.createCourse},
		{"GET", "/console/training/courses/:id<int>", Staff, h.showConsoleCourse},
		{"POST", "/console/training/courses/:id<int>", Staff, h.saveCourse},
		{"POST", "/console/training/courses/:id<int>/status", Staff, h.setCourseStatus},
		{"POST", "/console/training/courses/:id<int>/cover", Staff, h.uploadCourseCover},
		{"POST", "/console/training/courses/:id<int>/lessons", Staff, h.addLesson},
		{"GET", "/console/training/courses/:id<int>/lessons/:lesson<int>", Staff, h.showConsoleLesson},
		{"POST", "/console/training/courses/:id<int>/lessons/:lesson<int>", Staff, h.saveLesson},
		{"POST", "/console/training/courses/:id<int>/lessons/:lesson<int>/remove", Staff, h.removeLesson},
		{"POST", "/console/training/courses/:id<int>/lessons/:lesson<int>/move", Staff, h.moveLesson},
		{"POST", "/console/training/courses/:id<int>/questions", Staff, h.addQuestion},
		{"POST", "/console/training/courses/:id<int>/questions/:question<int>/remove", Staff, h.removeQuestion},
		{"GET", "/console/training/accreditations", Staff, h.showConsoleAccreditations},
		{"POST", "/console/training/accreditations", Staff, h.createAccreditation},
		{"GET", "/console/training/accreditations/:id<int>", Staff, h.showConsoleAccreditation},
		{"POST", "/console/training/accreditations/:id<int>", Staff, h.saveAccreditation},
		{"POST", "/console/training/accreditations/:id<int>/badge", Staff, h.uploadAccreditationBadge},
		{"GET", "/console/training/reports", Staff, h.showTrainingReports},
		{"GET", "/console/training/reports.csv", Staff, h.exportTrainingCSV},
		{"GET", "/console/training/certificates", Staff, h.showConsoleCertificates},
		{"POST", "/console/training/certificates/:id<int>/revoke", Staff, h.revokeCertificate},
		// Lead review: the queue, inline decisions and edits, referral leads.
		{"GET", "/console/leads", Staff, h.showReviewQueue},
		{"GET", "/console/leads/new", Staff, h.showReferralNew},
		{"POST", "/console/leads/new", Staff, h.createReferralLead},
		{"GET", "/console/leads/:id<int>", Staff, h.showReviewLead},
		{"GET", "/console/leads/:id<int>/row", Staff, h.showReviewRow},
		{"GET", "/console/leads/:id<int>/edit", Staff, h.showReviewEdit},
		{"POST", "/console/leads/:id<int>/edit", Staff, h.saveReviewEdit},
		{"POST", "/console/leads/:id<int>/approve", Staff, h.approveLead},
		{"POST", "/console/leads/:id<int>/reject", Staff, h.rejectLead},
		{"POST", "/console/leads/:id<int>/outcome", Staff, h.setLeadOutcome},
		{"POST", "/console/leads/:id<int>/correction", Staff, h.correctLead},
		// Partner Room resources. The two uploads stream their bodies
		// (streamedUpload in request_limits.go names them).
		{"GET", "/console/resources", Staff, h.showConsoleResources},
		{"GET", "/console/resources/new", Staff, h.showNewResource},
		{"POST", "/console/resources", Staff, h.createResources},
		{"POST", "/console/resources/categories", Staff, h.createResourceCategory},
		{"POST", "/console/resources/categories/:id<int>", Staff, h.renameResourceCategory},
		{"GET", "/console/resources/:id<int>", Staff, h.showConsoleResource},
		{"POST", "/console/resources/:id<int>", Staff, h.updateResource},
		{"POST", "/console/resources/:id<int>/files", Staff, h.replaceResourceFile},
		{"POST", "/console/resources/:id<int>/archive", Staff, h.archiveResource},
		{"GET", "/console/resources/:id<int>/preview", Staff, h.showConsolePreview},
		{"GET", "/console/resources/:id<int>/stats", Staff, h.showResourceStats},
		{"GET", "/console/resources/:id<int>/stats.csv", Staff, h.exportResourceStatsCSV},
		{"GET", "/console/resources/:id<int>/versions/:vid<int>/file", Staff, h.downloadConsoleFile},
		{"GET", "/console/resources/:id<int>/versions/:vid<int>/pages/:n<int>", Staff, h.showConsolePage},
	}
}

func (h *Handler) registerRoutes(app *fiber.App, routes []route) {
	for _, r := range routes {
		handlers := []fiber.Handler{h.guard(r.access), r.handler}
		switch r.method {
		case fiber.MethodGet:
			app.Get(r.path, handlers...) // Fiber also answers HEAD for it
		default:
			app.Add(r.method, r.path, handlers...)
		}
	}
}

// guard enforces one access level.
func (h *Handler) guard(a Access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if a == Public {
			return c.Next()
		}
		u := currentUser(c)
		if u == nil {
			to := "/login"
			if c.Method() == fiber.MethodGet && c.Get("HX-Request") == "" {
				to += "?next=" + url.QueryEscape(c.OriginalURL())
			}
			return redirect(c, to)
		}
		switch a {
		case SignedIn:
			return c.Next()
		case Staff:
			if !u.IsStaff() {
				return fiber.ErrNotFound // partners never learn the console exists
			}
			return c.Next()
		}
		// Partner levels.
		if !u.IsPartner() {
			if c.Method() == fiber.MethodGet && c.Get("HX-Request") == "" {
				return c.Redirect("/console", fiber.StatusSeeOther) // staff have their own console
			}
			return fiber.ErrNotFound
		}
		if a == PartnerAdmin && !u.IsPartnerAdmin() {
			return fiber.NewError(fiber.StatusForbidden, "Only your company's portal admins can open this page.")
		}
		if a == Partner || a == PartnerAdmin {
			pending, err := h.pendingAgreements(c, u)
			if err != nil {
				return err
			}
			if len(pending) > 0 {
				return redirect(c, "/agreements/sign")
			}
		}
		return c.Next()
	}
}

// pendingAgreements lists the agreement versions the user's company still has
// to sign; no query at all while the organization has agreements off.
func (h *Handler) pendingAgreements(c *fiber.Ctx, u *User) ([]queries.ListUnsignedAgreementVersionsRow, error) {
	if !u.AgreementsEnabled {
		return nil, nil
	}
	return h.Store.ListUnsignedAgreementVersions(c.Context(), queries.ListUnsignedAgreementVersionsParams{
		OrganizationID: u.OrganizationID, PartnerID: u.PartnerID,
	})
}

func unreadParams(u *User) queries.CountUnreadNotificationsParams {
	return queries.CountUnreadNotificationsParams{OrganizationID: u.OrganizationID, UserID: u.ID}
}

func (h *Handler) home(c *fiber.Ctx) error {
	u := currentUser(c)
	switch {
	case u == nil:
		return c.Redirect("/login", fiber.StatusSeeOther)
	case u.IsStaff():
		return c.Redirect("/console", fiber.StatusSeeOther)
	}
	return c.Redirect("/dashboard", fiber.StatusSeeOther)
}

func (h *Handler) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

func (h *Handler) readyz(c *fiber.Ctx) error {
	if err := h.Store.Pool.Ping(c.Context()); err != nil {
		h.Log.Warn("readyz: postgres unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("postgres unreachable")
	}
	if err := h.Redis.Ping(c.Context()).Err(); err != nil {
		h.Log.Warn("readyz: redis unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("redis unreachable")
	}
	return c.SendString("ready")
}
