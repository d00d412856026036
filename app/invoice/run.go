package invoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"partnerportal/app/money"
	"partnerportal/app/storage"
	"partnerportal/app/taxid"
	"partnerportal/app/vault"
	"partnerportal/queries"
)

// Runner makes invoices. Store, Files and Now are required; Keys opens the
// partners' payout details (nil: every invoice says the details could not
// be read and is flagged as missing them).
type Runner struct {
	Store *queries.Store
	Files storage.Store
	Keys  *vault.Keyring
	Now   func() time.Time
	Log   *slog.Logger
	// PDFWorkers render PDFs in parallel as the invoices are committed
	// (default: one per CPU).
	PDFWorkers int
	// Parallel is how many partners are invoiced at once (default 4).
	Parallel int
	// OnPDF, when set, is told how long each PDF took to render (benchmarks).
	OnPDF func(time.Duration)
}

// Result is what one run did.
type Result struct {
	Invoices, CreditNotes, CarriedOver, Existing int
	PDFs                                         int
	// Notifications are the in-app notifications written (issued, payout
	// details missing); the caller queues their emails.
	Notifications []int64
}

// Settings are an organization's invoice settings with its minimums.
type Settings struct {
	queries.GetInvoiceSettingsRow
	Minimums map[string]int64
	Loc      *time.Location
}

// LoadSettings reads the organization's settings.
func LoadSettings(ctx context.Context, q *queries.Queries, org int64) (Settings, error) {
	row, err := q.GetInvoiceSettings(ctx, org)
	if err != nil {
		return Settings{}, err
	}
	mins, err := q.ListInvoiceMinimums(ctx, org)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{GetInvoiceSettingsRow: row, Minimums: map[string]int64{}, Loc: Location(row.TimeZone)}
	for _, m := range mins {
		s.Minimums[m.Currency] = m.AmountMinor
	}
	return s, nil
}

// Run invoices the organization's approved, not yet invoiced commissions
// approved before the period's close. It is idempotent and safe to run
// twice at once or to kill: each partner and currency is one transaction
// that locks the partner, checks for a live invoice of the period, takes the
// next number from the organization's counter row and writes the invoice
// and its lines; the unique indexes refuse a second live invoice for the
// period and a second live line for a commission. PDFs are rendered after
// the commit for every invoice that has none yet, so a run killed between
// the two is completed by the next.
func (r *Runner) Run(ctx context.Context, org int64, p Period) (Result, error) {
	var res Result
	now := r.Now()
	s, err := LoadSettings(ctx, r.Store.Queries, org)
	if err != nil {
		return res, err
	}
	if err := r.Store.StartInvoiceRun(ctx, queries.StartInvoiceRunParams{OrganizationID: org, PeriodKey: p.Key, Now: now}); err != nil {
		return res, err
	}
	balances, err := r.Store.ListUninvoicedBalances(ctx, queries.ListUninvoicedBalancesParams{OrganizationID: org, Until: p.End})
	if err != nil {
		return res, err
	}
	// Partners are invoiced by a few goroutines at once: each transaction
	// locks its own partner, and only the counter row is shared (held from
	// numbering to commit), so they cannot deadlock. Each committed invoice
	// goes to a bounded pool that renders and stores its PDF meanwhile; one
	// that fails there (or a run killed before) is left without a PDF and
	// made by RenderMissingPDFs below.
	par := r.Parallel
	if par <= 0 {
		par = 4
	}
	pdfs := make(chan *pdfJob, 64)
	pdfDone := r.pdfPool(ctx, org, pdfs)
	jobs := make(chan queries.ListUninvoicedBalancesRow)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				var out issued
				err := r.Store.Tx(ctx, func(q *queries.Queries) (err error) {
					out, err = r.issue(ctx, q, s, b.PartnerID, b.Currency, p, now)
					return err
				})
				if err == nil && out.pdf != nil {
					pdfs <- out.pdf
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("partner %d %s: %w", b.PartnerID, b.Currency, err))
				}
				switch {
				case err != nil:
				case out.existing:
					res.Existing++
				case out.carried:
					res.CarriedOver++
				case out.credit:
					res.CreditNotes++
				case out.id != 0:
					res.Invoices++
				}
				if err == nil {
					res.Notifications = append(res.Notifications, out.notes...)
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range balances {
		if ctx.Err() != nil {
			break
		}
		jobs <- b
	}
	close(jobs)
	wg.Wait()
	close(pdfs)
	res.PDFs = <-pdfDone
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return res, err
	}
	n, err := r.RenderMissingPDFs(ctx, org)
	res.PDFs += n
	if err != nil {
		return res, err
	}
	err = r.Store.FinishInvoiceRun(ctx, queries.FinishInvoiceRunParams{OrganizationID: org, PeriodKey: p.Key, Now: r.Now(),
		Invoices: int32(res.Invoices + res.CreditNotes), CarriedOver: int32(res.CarriedOver)})
	return res, err
}

type issued struct {
	id                        int64
	existing, carried, credit bool
	notes                     []int64
	pdf                       *pdfJob // a new invoice's PDF to render after the commit
}

// pdfJob is one committed invoice whose PDF is still to be made.
type pdfJob struct {
	inv   queries.Invoice
	lines []queries.ListInvoiceLinesRow
}

func date(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }

// issue makes one partner's invoice (or credit note) for one currency.
func (r *Runner) issue(ctx context.Context, q *queries.Queries, s Settings, partner int64, currency string, p Period, now time.Time) (issued, error) {
	var out issued
	org := s.OrganizationID
	if _, err := q.LockPartnerForInvoicing(ctx, queries.LockPartnerForInvoicingParams{OrganizationID: org, PartnerID: partner}); err != nil {
		return out, err
	}
	if _, err := q.GetLiveInvoiceForPeriod(ctx, queries.GetLiveInvoiceForPeriodParams{OrganizationID: org, PartnerID: partner,
		Currency: currency, PeriodKey: p.Key}); err == nil {
		out.existing = true
		return out, nil
	} else if !queries.IsNotFound(err) {
		return out, err
	}
	rows, err := q.ListUninvoicedCommissions(ctx, queries.ListUninvoicedCommissionsParams{OrganizationID: org, PartnerID: partner,
		Currency: currency, Until: p.End})
	if err != nil {
		return out, err
	}
	var total int64
	ids := make([]int64, 0, len(rows))
	var corrected *int64
	for _, c := range rows {
		total += c.AmountMinor
		ids = append(ids, c.ID)
		if c.AdjustsID != nil && corrected == nil {
			corrected = c.AdjustsID
		}
	}
	if len(rows) == 0 || total == 0 || (total > 0 && total < s.Minimums[currency]) {
		out.carried = true // stays approved; the next run sees it again
		return out, nil
	}
	kind := "invoice"
	var credits *int64
	if total < 0 {
		kind, out.credit = "credit_note", true
		if corrected != nil {
			if id, err := q.InvoiceOfCommission(ctx, queries.InvoiceOfCommissionParams{OrganizationID: org, PartnerID: partner, CommissionID: *corrected}); err == nil {
				credits = &id
			} else if !queries.IsNotFound(err) {
				return out, err
			}
		}
	}
	pt, err := q.GetPartnerForInvoice(ctx, queries.GetPartnerForInvoiceParams{OrganizationID: org, PartnerID: partner})
	if err != nil {
		return out, err
	}
	masked, missing, unreadable := "", true, false
	if pt.PayoutMethod != "" && pt.Sealed != nil {
		if d, err := OpenDetails(r.Keys, org, partner, pt.SealedKeyID, pt.Sealed); err == nil && d.Complete(pt.PayoutMethod) {
			masked, missing = d.Masked(pt.PayoutMethod), false
		} else if err != nil {
			unreadable = true
			if r.Log != nil {
				r.Log.Warn("payout details do not open", "organization_id", org, "partner_id", partner, "err", err)
			}
		}
	}
	issuedOn := IssueDate(s.Loc, now)
	// Written as a draft and numbered last: the counter row is locked from
	// NextInvoiceSequence to the commit, so everything that can come before
	// it does (schema.sql, invoices_sequence_check).
	draft := rand.Int64N(1<<62) + 1
	legal := pt.LegalName
	if legal == "" {
		legal = pt.Name
	}
	vendor := s.VendorName
	if vendor == "" {
		vendor = s.OrganizationName
	}
	inv, err := q.CreateInvoice(ctx, queries.CreateInvoiceParams{OrganizationID: org, PartnerID: partner, Kind: kind,
		CreditsInvoiceID: credits, Sequence: -draft, Number: "draft-" + strconv.FormatInt(draft, 10), Currency: currency, PeriodKey: p.Key, PeriodLabel: p.Label,
		IssuedOn: date(issuedOn), DueOn: date(DueDate(issuedOn, int(s.NetDays))), TotalMinor: total, LineCount: int32(len(rows)),
		VendorName: vendor, VendorAddress: s.VendorAddress, VendorTaxID: s.VendorTaxID, VendorCountry: s.VendorCountry,
		PartnerName: legal, PartnerAddress: pt.Address, PartnerTaxID: pt.TaxID, PartnerCountry: pt.Country,
		ReverseCharge: ReverseCharge(s.VendorCountry, pt.Country), PayoutMethod: pt.PayoutMethod, PayoutMasked: masked,
		PayoutDetailsMissing: missing, Now: now})
	if err != nil {
		return out, err
	}
	out.id = inv.ID
	n, err := q.AddIssuedInvoiceLines(ctx, queries.AddIssuedInvoiceLinesParams{OrganizationID: org, PartnerID: partner, InvoiceID: out.id,
		CommissionIds: ids, Detail: fmt.Sprintf("%s %s, %d lines", strings.ReplaceAll(kind, "_", " "), money.Format(total, currency), len(ids)), Now: now})
	if err != nil {
		return out, err
	}
	if n != int64(len(ids)) {
		return out, fmt.Errorf("invoice of partner %d: %d of %d lines written", partner, n, len(ids))
	}
	seq, err := q.NextInvoiceSequence(ctx, org)
	if err != nil {
		return out, err
	}
	number := Number(s.NumberPrefix, issuedOn.Year(), seq)
	if inv, err = q.NumberInvoice(ctx, queries.NumberInvoiceParams{OrganizationID: org, ID: out.id, Sequence: seq, Number: number}); err != nil {
		return out, err
	}
	what := "Invoice"
	if out.credit {
		what = "Credit note"
	}
	bodies := []string{fmt.Sprintf("%s %s for %s (%s) was issued on your behalf; due %s. Its PDF is on the invoice page.",
		what, number, p.Label, money.Format(total, currency), DueDate(issuedOn, int(s.NetDays)).Format("2 Jan 2006"))}
	links := []string{fmt.Sprintf("/payments/invoices/%d", out.id)}
	if missing && kind == "invoice" {
		if unreadable {
			bodies = append(bodies, fmt.Sprintf("Invoice %s cannot be paid yet: your saved payout details can't be read. Enter them again under Manage → Payout settings.", number))
		} else {
			bodies = append(bodies, fmt.Sprintf("Invoice %s cannot be paid yet: your payout details are missing. Add a bank account (account holder and IBAN) or a PayPal address under Manage → Payout settings.", number))
		}
		links = append(links, "/manage/payout")
	}
	if out.notes, err = q.NotifyInvoicePartnerAdminsMany(ctx, queries.NotifyInvoicePartnerAdminsManyParams{OrganizationID: org,
		PartnerID: partner, Bodies: bodies, Links: links, Now: now}); err != nil {
		return out, err
	}
	// What the PDF needs, as committed: the invoice row and its lines in
	// ListInvoiceLines' order (earned_at, id), rendered after the commit.
	lines := make([]queries.ListInvoiceLinesRow, len(rows))
	for i, c := range rows {
		lines[i] = queries.ListInvoiceLinesRow{CommissionID: c.ID, AmountMinor: c.AmountMinor, Live: true, Kind: c.Kind,
			BasisMinor: c.BasisMinor, RateBps: c.RateBps, Stage: c.Stage, Reason: c.Reason, EarnedAt: c.EarnedAt, LeadCompany: c.LeadCompany}
	}
	out.pdf = &pdfJob{inv: inv, lines: lines}
	return out, nil
}

// Number formats an invoice number: prefix, year of issue, sequence
// (ACME-2026-0042). The sequence runs on across years; gapless per
// organization.
func Number(prefix string, year int, seq int64) string {
	return fmt.Sprintf("%s-%d-%04d", prefix, year, seq)
}

// ReverseCharge reports whether the invoice carries the EU reverse-charge
// note: vendor and partner in two different EU member states.
func ReverseCharge(vendor, partner string) bool {
	return taxid.InEU(vendor) && taxid.InEU(partner) && vendor != partner
}

// PDFKey is where an invoice's PDF is stored.
func PDFKey(org int64, number string) string {
	return fmt.Sprintf("org/%d/invoices/%s.pdf", org, strings.ToLower(number))
}

// pdfPool renders and stores the PDFs sent on jobs with PDFWorkers
// goroutines (default: one per CPU), recording their keys in batches; the
// returned channel gives how many were stored once jobs is closed and
// drained. A PDF that fails is logged and left to RenderMissingPDFs.
func (r *Runner) pdfPool(ctx context.Context, org int64, jobs <-chan *pdfJob) <-chan int {
	workers := r.PDFWorkers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	done := make(chan int, 1)
	var stored atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ids []int64
			var keys []string
			flush := func() {
				if len(ids) == 0 {
					return
				}
				if n, err := r.Store.SetInvoicePDFs(ctx, queries.SetInvoicePDFsParams{OrganizationID: org, Ids: ids, PdfKeys: keys}); err != nil {
					r.warn("invoice PDFs not recorded", "organization_id", org, "invoices", len(ids), "err", err)
				} else {
					stored.Add(n)
				}
				ids, keys = ids[:0], keys[:0]
			}
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain; the next run makes them
				}
				key, err := r.putPDF(ctx, j.inv, j.lines)
				if err != nil {
					r.warn("invoice PDF not made", "organization_id", org, "invoice_id", j.inv.ID, "err", err)
					continue
				}
				ids, keys = append(ids, j.inv.ID), append(keys, key)
				if len(ids) >= 50 {
					flush()
				}
			}
			flush()
		}()
	}
	go func() {
		wg.Wait()
		done <- int(stored.Load())
	}()
	return done
}

func (r *Runner) warn(msg string, args ...any) {
	if r.Log != nil {
		r.Log.Warn(msg, args...)
	}
}

// RenderMissingPDFs renders and stores the PDF of every invoice of the
// organization that has none yet; it reports how many it made.
func (r *Runner) RenderMissingPDFs(ctx context.Context, org int64) (int, error) {
	workers := r.PDFWorkers
	if workers <= 0 {
		workers = 2
	}
	total := 0
	for {
		missing, err := r.Store.ListInvoicesWithoutPDF(ctx, queries.ListInvoicesWithoutPDFParams{OrganizationID: org, MaxRows: 200})
		if err != nil || len(missing) == 0 {
			return total, err
		}
		jobs := make(chan queries.ListInvoicesWithoutPDFRow)
		var mu sync.Mutex
		var errs []error
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					if err := r.storePDF(ctx, org, j.PartnerID, j.ID); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			}()
		}
		for _, j := range missing {
			jobs <- j
		}
		close(jobs)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return total, err
		}
		total += len(missing)
	}
}

func (r *Runner) storePDF(ctx context.Context, org, partner, id int64) error {
	inv, err := r.Store.GetInvoice(ctx, queries.GetInvoiceParams{OrganizationID: org, PartnerID: partner, ID: id})
	if err != nil {
		return err
	}
	lines, err := r.Store.ListInvoiceLines(ctx, queries.ListInvoiceLinesParams{OrganizationID: org, PartnerID: partner, InvoiceID: id})
	if err != nil {
		return err
	}
	key, err := r.putPDF(ctx, inv, lines)
	if err != nil {
		return err
	}
	return r.Store.SetInvoicePDF(ctx, queries.SetInvoicePDFParams{OrganizationID: org, ID: id, PdfKey: key})
}

// putPDF renders an invoice's PDF and stores it; it returns the key.
func (r *Runner) putPDF(ctx context.Context, inv queries.Invoice, lines []queries.ListInvoiceLinesRow) (string, error) {
	t0 := time.Now() // a duration for OnPDF, not a time the portal keeps
	b, err := RenderPDF(inv, lines)
	if err != nil {
		return "", err
	}
	if r.OnPDF != nil {
		r.OnPDF(time.Since(t0))
	}
	key := PDFKey(inv.OrganizationID, inv.Number)
	if _, err := r.Files.Put(ctx, key, bytes.NewReader(b), int64(len(b)), "application/pdf"); err != nil {
		return "", err
	}
	return key, nil
}
