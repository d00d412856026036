package queries

// Hand-written companion of lead_list.sql: the CSV export walks up to 100k
// rows of ListLeadsForPartner, so it takes them one at a time instead of
// collecting a slice. Same SQL, same parameters and columns as the
// generated ListLeadsForPartner (lead_list.sql.go); keep the two in step.

import "context"

// EachLeadForPartner runs ListLeadsForPartner and calls fn for every row, in
// order, stopping at the first error.
func (q *Queries) EachLeadForPartner(ctx context.Context, arg ListLeadsForPartnerParams, fn func(*ListLeadsForPartnerRow) error) error {
	rows, err := q.db.Query(ctx, listLeadsForPartner,
		arg.OrganizationID, arg.PartnerID, arg.CreatedFrom, arg.CreatedTo, arg.Status, arg.Q,
		arg.Sort, arg.Dir, arg.RowOffset, arg.RowLimit)
	if err != nil {
		return err
	}
	defer rows.Close()
	var i ListLeadsForPartnerRow
	for rows.Next() {
		if err := rows.Scan(&i.ID, &i.Company, &i.Domain, &i.ContactName, &i.Email, &i.Phone, &i.Status,
			&i.Stage, &i.Currency, &i.DealValueMinor, &i.RevenueMinor, &i.CreatedAt, &i.WonAt,
			&i.CreatedByUserID, &i.Source, &i.DuplicateOfLeadID, &i.DuplicateReason); err != nil {
			return err
		}
		if err := fn(&i); err != nil {
			return err
		}
	}
	return rows.Err()
}
