package training

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// Event is a decoded 'course_completed' outbox event.
type Event struct {
	OutboxID       int64
	OrganizationID int64
	EnrolmentID    int64 `json:"enrolment_id"`
	PartnerID      int64 `json:"partner_id"`
	UserID         int64 `json:"user_id"`
	CourseID       int64 `json:"course_id"`
}

// EventFromOutbox decodes the outbox row's payload.
func EventFromOutbox(id, orgID int64, payload []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Event{}, fmt.Errorf("outbox event %d: %w", id, err)
	}
	if ev.EnrolmentID <= 0 || ev.PartnerID <= 0 {
		return Event{}, fmt.Errorf("outbox event %d: no enrolment", id)
	}
	ev.OutboxID, ev.OrganizationID = id, orgID
	return ev, nil
}

// Outcome is what processing one completion did.
type Outcome struct {
	Certificate   queries.Certificate
	NewCert       bool
	BonusID       int64   // training bonus row written now (0: none or already)
	Awards        []int64 // accreditation ids awarded now
	AchievementID []int64 // achievement bonus rows written now
	TierChanged   bool
	Notifications []int64 // to email after the commit
}

// TrainingBonusKey is the earning key of a course's bonus for a person.
func TrainingBonusKey(courseID, userID int64) string {
	return fmt.Sprintf("training:course:%d:user:%d", courseID, userID)
}

// AchievementKey is the earning key of an accreditation's bonus: once per
// company or once per person.
func AchievementKey(accreditationID int64, per string, partnerID, userID int64) string {
	if per == "person" {
		return fmt.Sprintf("accreditation:%d:user:%d", accreditationID, userID)
	}
	return fmt.Sprintf("accreditation:%d:partner:%d", accreditationID, partnerID)
}

// Process turns a completed course into a certificate, the training bonus,
// accreditations with their bonus and tier upgrade. Call it in one
// transaction. Every write is keyed (certificate per person and course,
// commission earning keys, award per person and accreditation, the tier
// change only when it moves up), so replaying the event, or two workers
// running it at once, writes nothing twice. Times are the completion's, so a
// replay computes the same rows.
func Process(ctx context.Context, q *queries.Queries, ev Event) (Outcome, error) {
	return process(ctx, q, ev, true)
}

// ProcessQuiet is Process without notifications (the demo seed).
func ProcessQuiet(ctx context.Context, q *queries.Queries, ev Event) (Outcome, error) {
	return process(ctx, q, ev, false)
}

func process(ctx context.Context, q *queries.Queries, ev Event, notify bool) (Outcome, error) {
	var out Outcome
	c, err := q.GetCompletionForIssue(ctx, queries.GetCompletionForIssueParams{
		OrganizationID: ev.OrganizationID, PartnerID: ev.PartnerID, EnrolmentID: ev.EnrolmentID})
	if err != nil {
		return out, err
	}
	at := c.CompletedAt
	var expires *time.Time
	if c.ValidMonths > 0 {
		e := at.AddDate(0, int(c.ValidMonths), 0)
		expires = &e
	}
	cert, err := q.InsertCertificate(ctx, queries.InsertCertificateParams{PublicID: NewPublicID(),
		OrganizationID: c.OrganizationID, PartnerID: c.PartnerID, UserID: c.UserID, CourseID: c.CourseID,
		CourseVersion: c.CourseVersion, CourseTitle: c.CourseTitle, PersonName: c.PersonName,
		PartnerName: c.PartnerName, OrgName: c.OrgName, ScorePct: c.ScorePct, IssuedAt: at, ExpiresAt: expires})
	switch {
	case queries.IsNotFound(err):
		cert, err = q.GetUserCertificateForCourse(ctx, queries.GetUserCertificateForCourseParams{
			OrganizationID: c.OrganizationID, PartnerID: c.PartnerID, UserID: c.UserID, CourseID: c.CourseID})
		if err != nil {
			return out, err
		}
	case err != nil:
		return out, err
	default:
		out.NewCert = true
		if !notify {
			break
		}
		id, err := q.NotifyUser(ctx, queries.NotifyUserParams{Now: at, OrganizationID: c.OrganizationID, UserID: c.UserID,
			PartnerID: c.PartnerID, Body: fmt.Sprintf("You completed %s. Your certificate is ready.", c.CourseTitle),
			Link: "/training?tab=completed"})
		if err != nil {
			return out, err
		}
		out.Notifications = append(out.Notifications, id)
	}
	out.Certificate = cert
	hold := at.AddDate(0, 0, int(c.CommissionHoldDays))

	if c.BonusMinor > 0 && (len(c.BonusTierIds) == 0 || (c.TierID != nil && slices.Contains(c.BonusTierIds, *c.TierID))) {
		id, err := q.InsertCommission(ctx, queries.InsertCommissionParams{OrganizationID: c.OrganizationID,
			PartnerID: c.PartnerID, Kind: "training_bonus", AmountMinor: c.BonusMinor, Currency: c.BonusCurrency,
			Reason:     fmt.Sprintf("Training bonus: %s (%s)", c.CourseTitle, c.PersonName),
			EarningKey: TrainingBonusKey(c.CourseID, c.UserID), EarnedAt: at, ApprovableAt: hold})
		if err != nil && !queries.IsNotFound(err) {
			return out, err
		}
		if err == nil {
			out.BonusID = id
		}
		if err == nil && notify {
			ids, err := q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{OrganizationID: c.OrganizationID,
				PartnerID: c.PartnerID, Link: "/payments",
				Body: fmt.Sprintf("New training bonus: %s for %s completing %s.", money.Format(c.BonusMinor, c.BonusCurrency), c.PersonName, c.CourseTitle)})
			if err != nil {
				return out, err
			}
			out.Notifications = append(out.Notifications, ids...)
		}
	}

	accs, err := q.ListAccreditationsForCourse(ctx, queries.ListAccreditationsForCourseParams{
		OrganizationID: c.OrganizationID, PartnerID: c.PartnerID, UserID: c.UserID, CourseID: c.CourseID})
	if err != nil {
		return out, err
	}
	for _, a := range accs {
		if !a.Complete {
			continue
		}
		var aexp *time.Time
		if a.ValidMonths > 0 {
			e := at.AddDate(0, int(a.ValidMonths), 0)
			aexp = &e
		}
		_, err := q.InsertAccreditationAward(ctx, queries.InsertAccreditationAwardParams{OrganizationID: c.OrganizationID,
			PartnerID: c.PartnerID, UserID: c.UserID, AccreditationID: a.ID, AwardedAt: at, ExpiresAt: aexp})
		if err != nil && !queries.IsNotFound(err) {
			return out, err
		}
		if err == nil {
			out.Awards = append(out.Awards, a.ID)
		}
		if err == nil && notify {
			id, err := q.NotifyUser(ctx, queries.NotifyUserParams{Now: at, OrganizationID: c.OrganizationID, UserID: c.UserID,
				PartnerID: c.PartnerID, Body: fmt.Sprintf("You earned the accreditation %s.", a.Name), Link: "/training?tab=accreditations"})
			if err != nil {
				return out, err
			}
			out.Notifications = append(out.Notifications, id)
		}
		if a.BonusMinor > 0 {
			id, err := q.InsertCommission(ctx, queries.InsertCommissionParams{OrganizationID: c.OrganizationID,
				PartnerID: c.PartnerID, Kind: "achievement_bonus", AmountMinor: a.BonusMinor, Currency: a.BonusCurrency,
				Reason:     fmt.Sprintf("Achievement bonus: %s (%s)", a.Name, c.PersonName),
				EarningKey: AchievementKey(a.ID, a.BonusPer, c.PartnerID, c.UserID), EarnedAt: at, ApprovableAt: hold})
			if err != nil && !queries.IsNotFound(err) {
				return out, err
			}
			if err == nil {
				out.AchievementID = append(out.AchievementID, id)
			}
			if err == nil && notify {
				ids, err := q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{OrganizationID: c.OrganizationID,
					PartnerID: c.PartnerID, Link: "/payments",
					Body: fmt.Sprintf("New achievement bonus: %s for the accreditation %s.", money.Format(a.BonusMinor, a.BonusCurrency), a.Name)})
				if err != nil {
					return out, err
				}
				out.Notifications = append(out.Notifications, ids...)
			}
		}
		if a.UpgradeTierID != nil {
			moved, err := upgradeTier(ctx, q, c.OrganizationID, c.PartnerID, a.ID, *a.UpgradeTierID, a.UpgradeHolders)
			if err != nil {
				return out, err
			}
			if moved {
				out.TierChanged = true
			}
			if moved && notify {
				ids, err := q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{OrganizationID: c.OrganizationID,
					PartnerID: c.PartnerID, Link: "/payments",
					Body: fmt.Sprintf("Your company moved up a tier thanks to the accreditation %s.", a.Name)})
				if err != nil {
					return out, err
				}
				out.Notifications = append(out.Notifications, ids...)
			}
		}
	}
	return out, nil
}

// upgradeTier moves the partner to the tier when enough members hold the
// accreditation and the tier is above the partner's (never down). The
// partner row is locked; the change is recorded in partner_tier_changes
// (changed_by empty: the program did it).
func upgradeTier(ctx context.Context, q *queries.Queries, orgID, partnerID, accID, tierID int64, need int32) (bool, error) {
	n, err := q.CountAccreditationHolders(ctx, queries.CountAccreditationHoldersParams{
		OrganizationID: orgID, PartnerID: partnerID, AccreditationID: accID})
	if err != nil || n < need {
		return false, err
	}
	cur, err := q.GetPartnerTierPosition(ctx, queries.GetPartnerTierPositionParams{OrganizationID: orgID, PartnerID: partnerID})
	if err != nil {
		return false, err
	}
	target, err := q.GetTier(ctx, queries.GetTierParams{OrganizationID: orgID, ID: tierID})
	if err != nil {
		return false, err
	}
	if cur.TierID != nil && (*cur.TierID == tierID || target.Position <= cur.Position) {
		return false, nil
	}
	_, err = q.ChangePartnerTier(ctx, queries.ChangePartnerTierParams{OrganizationID: orgID, PartnerID: partnerID, ToTierID: &tierID})
	if queries.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
