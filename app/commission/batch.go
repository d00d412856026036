package commission

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"partnerportal/app/money"
	"partnerportal/queries"
)

// ProcessBatch reconciles the leads a batch of events names, in one
// transaction (the caller's), with one statement per step rather than one
// per event: the leads are locked in id order with their tiers, the
// program, stage incentives and running campaigns are read once per
// organization, the leads' rows once, and the new rows are written with one
// INSERT … ON CONFLICT DO NOTHING over the earning keys. The result is the
// same as processing the events one by one in outbox order: a lead named by
// several events is reconciled once per event, in order (each "round" of
// the batch takes the next event of every lead). Partner admins get one
// notification per batch listing their new commissions.
func (e *Engine) ProcessBatch(ctx context.Context, q *queries.Queries, events []Event) (Result, error) {
	var res Result
	byOrg := map[int64][]Event{}
	var orgs []int64
	for _, ev := range events {
		if _, ok := byOrg[ev.OrganizationID]; !ok {
			orgs = append(orgs, ev.OrganizationID)
		}
		byOrg[ev.OrganizationID] = append(byOrg[ev.OrganizationID], ev)
	}
	slices.Sort(orgs)
	now := e.now()
	for _, org := range orgs {
		b := &batch{e: e, q: q, now: now, res: &res}
		if err := b.run(ctx, org, byOrg[org]); err != nil {
			return res, err
		}
	}
	return res, nil
}

// leadState is a locked lead and its commission rows.
type leadState struct {
	lead queries.LockLeadForCommissionRow
	rows []queries.Commission
	keys map[string]bool // earning keys of rows
}

// newRow is a commission row the batch will insert for a lead.
type newRow struct {
	lead        *leadState
	Kind        string
	AmountMinor int64
	Currency    string
	BasisMinor  int64
	RateBps     int32
	TierName    string
	Stage       string
	Reason      string
	EarningKey  string
	AdjustsID   int64
}

// orgBatch is what a batch reads once per organization.
type orgBatch struct {
	id             int64
	hold           time.Time
	incentives     map[int64][]queries.TierStageIncentive // by tier
	spiffs         []queries.SpiffCampaign
	partnerIDs     []int64
	partnersLocked bool
	awarded        map[[2]int64]int64 // (partner, campaign) → awards counting towards its cap
}

type batch struct {
	e       *Engine
	q       *queries.Queries
	now     time.Time
	res     *Result
	org     *orgBatch
	inserts []newRow
	created int // where this organization's rows start in res.Created
}

// insert plans a row unless the lead has one with that key already (the lead
// is locked, so nothing else writes its keys meanwhile).
func (b *batch) insert(st *leadState, r newRow) {
	if st.keys[r.EarningKey] {
		return
	}
	st.keys[r.EarningKey] = true
	r.lead = st
	b.inserts = append(b.inserts, r)
}

func (b *batch) run(ctx context.Context, orgID int64, events []Event) error {
	q := b.q
	b.created = len(b.res.Created)
	// Events of one lead in outbox order; rounds take one event per lead.
	slices.SortStableFunc(events, func(x, y Event) int {
		if x.LeadID != y.LeadID {
			return cmpInt(x.LeadID, y.LeadID)
		}
		return cmpInt(x.OutboxID, y.OutboxID)
	})
	var rounds [][]Event
	var leadIDs []int64
	for i, ev := range events {
		if i > 0 && events[i-1].LeadID == ev.LeadID {
			continue
		}
		leadIDs = append(leadIDs, ev.LeadID)
		for r := 0; i+r < len(events) && events[i+r].LeadID == ev.LeadID; r++ {
			if r == len(rounds) {
				rounds = append(rounds, nil)
			}
			rounds[r] = append(rounds[r], events[i+r])
		}
	}
	locked, err := q.LockLeadsForCommission(ctx, queries.LockLeadsForCommissionParams{OrganizationID: orgID, LeadIds: leadIDs})
	if err != nil {
		return err
	}
	if len(locked) == 0 {
		return nil // the leads were deleted: nothing is owed
	}
	prog, err := q.GetCommissionProgram(ctx, orgID)
	if err != nil {
		return err
	}
	b.org = &orgBatch{id: orgID, hold: b.now.AddDate(0, 0, int(prog.CommissionHoldDays)),
		incentives: map[int64][]queries.TierStageIncentive{}, awarded: map[[2]int64]int64{}}
	states := make(map[int64]*leadState, len(locked))
	tiers := false
	for _, l := range locked {
		states[l.ID] = &leadState{lead: queries.LockLeadForCommissionRow(l), keys: map[string]bool{}}
		if !slices.Contains(b.org.partnerIDs, l.PartnerID) {
			b.org.partnerIDs = append(b.org.partnerIDs, l.PartnerID)
		}
		tiers = tiers || (l.TierID != nil && l.Status == "approved" && stageRank(l.Stage) >= 1)
	}
	slices.Sort(b.org.partnerIDs)
	if tiers {
		all, err := q.ListStageIncentivesForOrganization(ctx, orgID)
		if err != nil {
			return err
		}
		for _, in := range all {
			b.org.incentives[in.TierID] = append(b.org.incentives[in.TierID], in)
		}
	}
	b.org.spiffs, err = q.ListActiveStageSpiffsOfOrganization(ctx, queries.ListActiveStageSpiffsOfOrganizationParams{OrganizationID: orgID, At: b.now})
	if err != nil {
		return err
	}
	for _, round := range rounds {
		// The rows of the round's leads: read once, then again for a lead
		// named by a later event (after this round's rows are written).
		if err := b.loadRows(ctx, round, states); err != nil {
			return err
		}
		for _, ev := range round {
			st := states[ev.LeadID]
			if st == nil {
				continue // deleted
			}
			if err := b.revenue(ctx, ev, st); err != nil {
				return err
			}
			b.stages(st)
			if err := b.spiffs(ctx, st); err != nil {
				return err
			}
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	if b.e.Quiet {
		return nil
	}
	return b.notify(ctx)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// loadRows reads the commission rows of the round's leads.
func (b *batch) loadRows(ctx context.Context, round []Event, states map[int64]*leadState) error {
	var partners, leads []int64
	for _, ev := range round {
		if st := states[ev.LeadID]; st != nil {
			partners, leads = append(partners, st.lead.PartnerID), append(leads, st.lead.ID)
			st.rows, st.keys = nil, map[string]bool{}
		}
	}
	if len(leads) == 0 {
		return nil
	}
	rows, err := b.q.ListCommissionsOfLeads(ctx, queries.ListCommissionsOfLeadsParams{OrganizationID: b.org.id,
		PartnerIds: partners, LeadIds: leads})
	if err != nil {
		return err
	}
	for _, r := range rows {
		st := states[*r.LeadID]
		st.rows = append(st.rows, r)
		st.keys[r.EarningKey] = true
	}
	return nil
}

// flush writes the planned rows in one statement; the rows that come back
// are the new ones (a key written before returns nothing).
func (b *batch) flush(ctx context.Context) error {
	if len(b.inserts) == 0 {
		return nil
	}
	n := len(b.inserts)
	p := queries.InsertCommissionsParams{OrganizationID: b.org.id, EarnedAt: b.now, ApprovableAt: b.org.hold,
		PartnerIds: make([]int64, 0, n), LeadIds: make([]int64, 0, n), Kinds: make([]string, 0, n),
		Amounts: make([]int64, 0, n), Currencies: make([]string, 0, n), Bases: make([]int64, 0, n),
		Rates: make([]int32, 0, n), TierNames: make([]string, 0, n), Stages: make([]string, 0, n),
		Reasons: make([]string, 0, n), EarningKeys: make([]string, 0, n), AdjustsIds: make([]int64, 0, n),
		LeadCompanies: make([]string, 0, n)}
	byKey := make(map[string]*newRow, n)
	for i := range b.inserts {
		r := &b.inserts[i]
		byKey[r.EarningKey] = r
		p.PartnerIds = append(p.PartnerIds, r.lead.lead.PartnerID)
		p.LeadIds = append(p.LeadIds, r.lead.lead.ID)
		p.Kinds = append(p.Kinds, r.Kind)
		p.Amounts = append(p.Amounts, r.AmountMinor)
		p.Currencies = append(p.Currencies, r.Currency)
		p.Bases = append(p.Bases, r.BasisMinor)
		p.Rates = append(p.Rates, r.RateBps)
		p.TierNames = append(p.TierNames, r.TierName)
		p.Stages = append(p.Stages, r.Stage)
		p.Reasons = append(p.Reasons, r.Reason)
		p.EarningKeys = append(p.EarningKeys, r.EarningKey)
		p.AdjustsIds = append(p.AdjustsIds, r.AdjustsID)
		p.LeadCompanies = append(p.LeadCompanies, r.lead.lead.Company)
	}
	b.inserts = b.inserts[:0]
	written, err := b.q.InsertCommissions(ctx, p)
	if err != nil {
		return err
	}
	// In the order planned (lead, then kind order), for the result and the
	// notifications.
	ids := make(map[string]int64, len(written))
	for _, w := range written {
		ids[w.EarningKey] = w.ID
	}
	for i, key := range p.EarningKeys {
		id, ok := ids[key]
		if !ok {
			continue
		}
		r := byKey[key]
		b.res.Created = append(b.res.Created, Created{ID: id, PartnerID: p.PartnerIds[i], LeadID: p.LeadIds[i],
			Company: r.lead.lead.Company, Kind: r.Kind, AmountMinor: r.AmountMinor, Currency: r.Currency})
	}
	return nil
}

// notifyDigestLeads is how many leads a batch's notification names; the
// rest are counted.
const notifyDigestLeads = 3

// notify writes one notification per partner for the rows this batch
// created: "New commission for your lead X: …" for one lead, a digest for
// several. Their emails go out after commit (one email per notification).
func (b *batch) notify(ctx context.Context) error {
	type lead struct {
		company string
		parts   []string
	}
	var partners []int64
	byPartner := map[int64][]*lead{}
	leadOf := map[int64]*lead{}
	for _, c := range b.res.Created[b.created:] {
		l := leadOf[c.LeadID]
		if l == nil {
			l = &lead{company: c.Company}
			leadOf[c.LeadID] = l
			if _, ok := byPartner[c.PartnerID]; !ok {
				partners = append(partners, c.PartnerID)
			}
			byPartner[c.PartnerID] = append(byPartner[c.PartnerID], l)
		}
		l.parts = append(l.parts, money.Format(c.AmountMinor, c.Currency)+" ("+KindLabel(c.Kind)+")")
	}
	until := b.org.hold.UTC().Format("Jan 2, 2006")
	for _, partner := range partners {
		leads := byPartner[partner]
		var body string
		if len(leads) == 1 {
			body = fmt.Sprintf("New commission for your lead %s: %s, pending until %s.", leads[0].company,
				strings.Join(leads[0].parts, ", "), until)
		} else {
			named := make([]string, 0, notifyDigestLeads)
			for _, l := range leads[:min(len(leads), notifyDigestLeads)] {
				named = append(named, l.company+": "+strings.Join(l.parts, ", "))
			}
			body = fmt.Sprintf("New commissions for %d of your leads: %s", len(leads), strings.Join(named, "; "))
			if more := len(leads) - len(named); more > 0 {
				body += fmt.Sprintf("; and %d more", more)
			}
			body += fmt.Sprintf(". Pending until %s.", until)
		}
		ids, err := b.q.NotifyPartnerAdmins(ctx, queries.NotifyPartnerAdminsParams{Body: body, Link: "/payments",
			OrganizationID: b.org.id, PartnerID: partner})
		if err != nil {
			return err
		}
		b.res.Notifications = append(b.res.Notifications, ids...)
	}
	return nil
}
