package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hibiken/asynq"

	"partnerportal/app/clock"
	"partnerportal/app/config"
	"partnerportal/app/invoice"
	"partnerportal/app/vault"
	"partnerportal/workers"
)

// runInvoices is `portal invoices run [--org SLUG] [--period YYYY-MM]`: it
// enqueues the same task the scheduler does, for one organization or all,
// for the named month or the last closed period (today for a manual
// program), and prints what it queued.
func runInvoices(ctx context.Context, cfg *config.Config, org, period string) error {
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	rdb, err := openRedis(ctx, cfg)
	if err != nil {
		return err
	}
	defer rdb.Close()
	queue := asynq.NewClientFromRedisClient(rdb)
	defer queue.Close()
	orgs, err := store.ListOrganizationsForInvoicing(ctx)
	if err != nil {
		return err
	}
	now := clock.Real{}.Now()
	found := false
	for _, o := range orgs {
		if org != "" && o.Slug != org {
			continue
		}
		found = true
		p, err := invoice.ForRun(o.Period, invoice.Location(o.TimeZone), now, period)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Slug, err)
		}
		_, err = queue.EnqueueContext(ctx, workers.NewInvoiceRunTask(o.ID, p))
		switch {
		case err == nil:
			fmt.Printf("%s: invoice run for %s queued\n", o.Slug, p.Label)
		case errors.Is(err, asynq.ErrTaskIDConflict):
			fmt.Printf("%s: a run for %s is already queued or running\n", o.Slug, p.Label)
		default:
			return err
		}
	}
	if !found {
		return fmt.Errorf("no organization %q", org)
	}
	return nil
}

// runKeysRotate is `portal keys rotate`: every payout row is sealed under
// the first PAYOUT_KEYS key (legacy plaintext rows too, their plaintext
// columns emptied). Run it after putting a new key first; drop an old key
// only after it has run.
func runKeysRotate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if cfg.PayoutKeys == nil {
		return errors.New("PAYOUT_KEYS is unset")
	}
	store, err := openCheckedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Pool.Close()
	n, err := invoice.Reseal(ctx, store, cfg.PayoutKeys)
	if err != nil {
		return err
	}
	log.Info("payout details sealed under the current key", "key_id", cfg.PayoutKeys.Current(), "rows", n)
	return nil
}

// devPayoutKeys gives `dev` a payout key when PAYOUT_KEYS is unset: made
// once and kept in .data/payout_keys (mode 0600), so a laptop's data stays
// readable across restarts.
func devPayoutKeys(cfg *config.Config, log *slog.Logger) error {
	if cfg.PayoutKeys != nil {
		return nil
	}
	path := filepath.Join(".data", "payout_keys")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(".data", 0o700); err != nil {
			return err
		}
		b = []byte(vault.NewKeySpec("dev") + "\n")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return err
		}
		log.Info("PAYOUT_KEYS unset: made a payout key for this laptop", "file", path)
	} else if err != nil {
		return err
	}
	keys, err := vault.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cfg.PayoutKeys = keys
	return nil
}
