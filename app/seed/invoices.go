package seed

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"partnerportal/app/invoice"
	"partnerportal/app/storage"
	"partnerportal/app/vault"
	"partnerportal/queries"
)

// Invoices gives the demo organizations their invoice settings, the
// partners their legal details and (sealed) payout details, and invoices in
// every state: an invoice run two months back, one invoice paid, one voided,
// then last month's run (which re-invoices the voided one's commissions).
// An organization that already has invoices is left alone.
func Invoices(ctx context.Context, store *queries.Store, files storage.Store, keys *vault.Keyring, log *slog.Logger, now time.Time) error {
	type partnerBits struct {
		name, legal, address, taxID, country string
		payout                               *invoice.Details
		method, currency                     string
	}
	orgs := []struct {
		slug, vendor, address, taxID, country, iban, bic string
		partners                                         []partnerBits
	}{
		{"acme", "Acme Cloud Inc.", "500 Fifth Avenue\nNew York, NY 10110", "US-12-3456789", "US", "", "", []partnerBits{
			{"Northwind Agency", "Northwind Agency LLC", "12 Harbor Road\nBoston, MA 02110", "US-98-7654321", "US", nil, "", ""},
			{"Globex Partners", "Globex Partners Ltd", "1 Canada Square\nLondon E14 5AB", "GB123456789", "GB",
				&invoice.Details{Holder: "Globex Partners Ltd", IBAN: "GB29NWBK60161331926819", BIC: "NWBKGB2L"}, invoice.MethodBank, "USD"},
		}},
		{"initech", "Initech GmbH", "Friedrichstraße 1\n10117 Berlin", "DE123456789", "DE", "DE75512108001245126199", "SOGEDEFFXXX", []partnerBits{
			{"Initrode Resellers", "Zoë Müller-Łukasiewicz (Initrode)", "ul. Długa 5\n00-238 Warszawa", "PL5260001246", "PL",
				&invoice.Details{Holder: "Zoë Müller-Łukasiewicz", IBAN: "PL61109010140000071219812874", BIC: "WBKPPLPP"}, invoice.MethodBank, "EUR"},
		}},
	}
	r := &invoice.Runner{Store: store, Files: files, Keys: keys, Log: log}
	for _, o := range orgs {
		org, err := store.GetOrganizationBySlug(ctx, o.slug)
		if err != nil {
			return fmt.Errorf("seed invoices %s: %w", o.slug, err)
		}
		var n int64
		if err := store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE organization_id = $1`, org.ID).Scan(&n); err != nil || n > 0 {
			continue
		}
		if err := store.UpsertInvoiceSettings(ctx, queries.UpsertInvoiceSettingsParams{OrganizationID: org.ID, Period: invoice.Monthly,
			NetDays: 30, NumberPrefix: map[string]string{"acme": "ACME", "initech": "INI"}[o.slug], VendorName: o.vendor, VendorAddress: o.address,
			VendorTaxID: o.taxID, VendorCountry: o.country, VendorIban: o.iban, VendorBic: o.bic, Now: now}); err != nil {
			return err
		}
		for _, p := range o.partners {
			var pid int64
			if err := store.Pool.QueryRow(ctx, `SELECT id FROM partners WHERE organization_id = $1 AND name = $2`, org.ID, p.name).Scan(&pid); err != nil {
				return fmt.Errorf("seed invoices %s: %w", p.name, err)
			}
			if err := store.UpsertPartnerBillingDetails(ctx, queries.UpsertPartnerBillingDetailsParams{OrganizationID: org.ID, PartnerID: pid,
				LegalName: p.legal, Address: p.address, TaxID: p.taxID, Country: p.country}); err != nil {
				return err
			}
			if p.payout != nil && keys != nil {
				id, sealed, err := invoice.SealDetails(keys, org.ID, pid, *p.payout)
				if err != nil {
					return err
				}
				if err := store.UpsertSealedPayoutSettings(ctx, queries.UpsertSealedPayoutSettingsParams{OrganizationID: org.ID, PartnerID: pid,
					Method: p.method, Currency: p.currency, UpdatedAt: now, SealedKeyID: id, Sealed: sealed}); err != nil {
					return err
				}
			}
		}
		loc := invoice.Location(org.TimeZone)
		r.Now = func() time.Time { return now }
		p1, _ := invoice.LastClosed(invoice.Monthly, loc, now)
		if _, err := r.Run(ctx, org.ID, p1); err != nil {
			return err
		}
		// Void the first invoice, pay the second (if any); a manual run
		// then invoices the voided one's commissions again.
		ids, err := firstInvoices(ctx, store, org.ID)
		if err != nil {
			return err
		}
		err = store.Tx(ctx, func(q *queries.Queries) error {
			if len(ids) > 1 {
				if _, err := invoice.MarkPaid(ctx, q, org.ID, ids[1], invoice.IssueDate(loc, now), "WIRE-"+now.Format("20060102")+"-1", nil, now); err != nil {
					return err
				}
			}
			if len(ids) > 0 {
				return invoice.Void(ctx, q, org.ID, ids[0], "Issued before the partner's tax ID was corrected", nil, now)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := r.Run(ctx, org.ID, invoice.DayPeriod(loc, now)); err != nil {
			return err
		}
	}
	log.Info("demo invoices loaded")
	return nil
}

func firstInvoices(ctx context.Context, store *queries.Store, org int64) ([]int64, error) {
	rows, err := store.Pool.Query(ctx, `SELECT id FROM invoices WHERE organization_id = $1 AND kind = 'invoice' ORDER BY sequence`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
