package training

import (
	"context"
	"fmt"
	"time"

	"partnerportal/queries"
)

// WarnBefore is how long before an accreditation expires its holder is warned.
const WarnBefore = 30 * 24 * time.Hour

// RunExpiry is the daily task: it warns the holders of accreditations that
// expire within 30 days and marks the expired ones, each with a notification
// (its email follows through the notification email task). The warned_at /
// expired_at mark and the notification are written in one transaction, so a
// task run twice, or two at once, warns nobody twice. It returns the
// notification ids to email.
func RunExpiry(ctx context.Context, store *queries.Store, now time.Time) ([]int64, error) {
	var notes []int64
	err := store.Tx(ctx, func(q *queries.Queries) error {
		notes = notes[:0]
		warn, err := q.ClaimExpiryWarnings(ctx, queries.ClaimExpiryWarningsParams{Now: now, WarnBefore: now.Add(WarnBefore)})
		if err != nil {
			return err
		}
		for _, w := range warn {
			id, err := q.NotifyUser(ctx, queries.NotifyUserParams{Now: now, OrganizationID: w.OrganizationID, UserID: w.UserID,
				PartnerID: w.PartnerID, Link: "/training?tab=accreditations",
				Body: fmt.Sprintf("Your accreditation %s expires on %s. Retake its courses to keep it.", w.Name, w.ExpiresAt.UTC().Format("Jan 2, 2006"))})
			if err != nil && !queries.IsNotFound(err) {
				return err
			}
			if err == nil {
				notes = append(notes, id)
			}
		}
		gone, err := q.MarkExpiredAwards(ctx, now)
		if err != nil {
			return err
		}
		for _, g := range gone {
			id, err := q.NotifyUser(ctx, queries.NotifyUserParams{Now: now, OrganizationID: g.OrganizationID, UserID: g.UserID,
				PartnerID: g.PartnerID, Link: "/training?tab=accreditations",
				Body: fmt.Sprintf("Your accreditation %s has expired.", g.Name)})
			if err != nil && !queries.IsNotFound(err) {
				return err
			}
			if err == nil {
				notes = append(notes, id)
			}
		}
		return nil
	})
	return notes, err
}
