package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/invoice"
	"partnerportal/queries"
)

// TypeInvoiceRun makes one organization's invoices for one period
// (app/invoice). The scheduler enqueues it when a period closes; `portal
// invoices run` and the console's "Run now" enqueue the same task.
const TypeInvoiceRun = "invoice:run"

// InvoiceRunPayload names the organization and the period.
type InvoiceRunPayload struct {
	OrganizationID int64     `json:"organization_id"`
	PeriodKey      string    `json:"period_key"`
	PeriodLabel    string    `json:"period_label"`
	PeriodEnd      time.Time `json:"period_end"`
}

// NewInvoiceRunTask builds the task; its id names the organization and the
// period, so a run already queued or running is not queued twice (and the
// run itself is idempotent when it is started again later).
func NewInvoiceRunTask(org int64, p invoice.Period) *asynq.Task {
	b, _ := json.Marshal(InvoiceRunPayload{OrganizationID: org, PeriodKey: p.Key, PeriodLabel: p.Label, PeriodEnd: p.End}) // cannot fail
	return asynq.NewTask(TypeInvoiceRun, b, asynq.Queue(QueueDefault), asynq.MaxRetry(10), asynq.Timeout(30*time.Minute),
		asynq.TaskID(InvoiceRunTaskID(org, p.Key)))
}

// InvoiceRunTaskID is the task id of an organization's run for a period.
func InvoiceRunTaskID(org int64, key string) string {
	return "invoice:run:" + strconv.FormatInt(org, 10) + ":" + key
}

func (d *Deps) handleInvoiceRun(ctx context.Context, t *asynq.Task) error {
	var p InvoiceRunPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.OrganizationID <= 0 || p.PeriodKey == "" || p.PeriodEnd.IsZero() {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	r := &invoice.Runner{Store: d.Store, Files: d.Files, Keys: d.Config.PayoutKeys, Now: d.Clock.Now, Log: d.Log}
	res, err := r.Run(ctx, p.OrganizationID, invoice.Period{Key: p.PeriodKey, Label: p.PeriodLabel, End: p.PeriodEnd})
	d.enqueueEmails(ctx, res.Notifications) // written by committed transactions, even when a later one failed
	if err != nil {
		return err
	}
	d.Log.Info("invoice run done", "organization_id", p.OrganizationID, "period", p.PeriodKey, "invoices", res.Invoices,
		"credit_notes", res.CreditNotes, "carried_over", res.CarriedOver, "pdfs", res.PDFs)
	return nil
}

// TypeInvoiceSchedule starts, every minute, the run of each organization
// whose invoice period has closed in its time zone and has no finished run.
const TypeInvoiceSchedule = "invoice:schedule"

// NewInvoiceScheduleTask is enqueued by the scheduler.
func NewInvoiceScheduleTask() *asynq.Task {
	return asynq.NewTask(TypeInvoiceSchedule, nil, asynq.Queue(QueueLow), asynq.MaxRetry(0), asynq.Timeout(50*time.Second))
}

func (d *Deps) handleInvoiceSchedule(ctx context.Context, _ *asynq.Task) error {
	n, err := ScheduleInvoiceRuns(ctx, d.Store, asynq.NewClientFromRedisClient(d.Redis), d.Clock.Now())
	if n > 0 {
		d.Log.Info("invoice runs enqueued", "count", n)
	}
	return err
}

// ScheduleInvoiceRuns enqueues the run of every organization whose last
// closed period has no finished run; it reports how many it enqueued.
func ScheduleInvoiceRuns(ctx context.Context, store *queries.Store, queue *asynq.Client, now time.Time) (int, error) {
	orgs, err := store.ListOrganizationsForInvoicing(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, o := range orgs {
		p, ok := invoice.LastClosed(o.Period, invoice.Location(o.TimeZone), now)
		if !ok {
			continue // manual: staff start runs
		}
		run, err := store.GetInvoiceRun(ctx, queries.GetInvoiceRunParams{OrganizationID: o.ID, PeriodKey: p.Key})
		if err == nil && run.FinishedAt != nil {
			continue
		} else if err != nil && !queries.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		switch _, err := queue.EnqueueContext(ctx, NewInvoiceRunTask(o.ID, p)); {
		case err == nil:
			n++
		case errors.Is(err, asynq.ErrTaskIDConflict): // queued or running
		default:
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}
