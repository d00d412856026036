package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"partnerportal/app/resource"
	"partnerportal/queries"
)

// TypeResourcePreview extracts the text of one uploaded Partner Room file
// (for search) and makes its preview images. The web tier enqueues it right
// after the upload commits; the sweep below re-enqueues any version still
// pending (a lost enqueue). Idempotent: a version no longer pending is left
// alone, and the preview keys are fixed per version, so a second run writes
// the same images again.
const TypeResourcePreview = "resource:preview"

// TypeResourcePreviewSweep finds versions whose preview task was lost.
const TypeResourcePreviewSweep = "resource:preview_sweep"

// ResourcePreviewPayload names the version.
type ResourcePreviewPayload struct {
	OrganizationID int64 `json:"organization_id"`
	VersionID      int64 `json:"version_id"`
}

// NewResourcePreviewTask builds the task; its id is the version's, so the
// web tier and the sweep enqueue it once between them while it is queued.
func NewResourcePreviewTask(orgID, versionID int64) *asynq.Task {
	b, _ := json.Marshal(ResourcePreviewPayload{OrganizationID: orgID, VersionID: versionID}) // cannot fail
	return asynq.NewTask(TypeResourcePreview, b,
		asynq.Queue(QueueDefault), asynq.MaxRetry(5), asynq.Timeout(5*time.Minute),
		asynq.TaskID(fmt.Sprintf("resource-preview:%d", versionID)))
}

// NewResourcePreviewSweepTask builds the periodic sweep.
func NewResourcePreviewSweepTask() *asynq.Task {
	return asynq.NewTask(TypeResourcePreviewSweep, nil, asynq.Queue(QueueLow), asynq.MaxRetry(1), asynq.Timeout(time.Minute))
}

func (d *Deps) handleResourcePreview(ctx context.Context, t *asynq.Task) error {
	var p ResourcePreviewPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.VersionID == 0 || p.OrganizationID == 0 {
		return fmt.Errorf("bad payload: %v: %w", err, asynq.SkipRetry)
	}
	v, err := d.Store.GetResourceVersion(ctx, queries.GetResourceVersionParams{OrganizationID: p.OrganizationID, ID: p.VersionID})
	if queries.IsNotFound(err) {
		return nil // the resource was deleted since
	}
	if err != nil {
		return err
	}
	if v.PreviewState != "pending" {
		return nil
	}
	res, err := resource.Process(ctx, d.Files, resource.Version{OrganizationID: v.OrganizationID, ResourceID: v.ResourceID, ID: v.ID, Key: v.StorageKey, Type: v.Mime})
	if err != nil {
		if n, _ := asynq.GetRetryCount(ctx); n < 5 {
			return err
		}
		res = resource.Result{Err: "The preview could not be made (the file could not be read)."}
	}
	state := "ready"
	if res.Err != "" && res.Pages == 0 {
		state = "failed"
	}
	return d.Store.Tx(ctx, func(q *queries.Queries) error {
		if err := q.SetResourceBodyText(ctx, queries.SetResourceBodyTextParams{
			OrganizationID: v.OrganizationID, ResourceID: v.ResourceID, VersionID: &v.ID, BodyText: res.Text,
		}); err != nil {
			return err
		}
		return q.SetVersionPreview(ctx, queries.SetVersionPreviewParams{
			OrganizationID: v.OrganizationID, ID: v.ID, PreviewState: state, PreviewError: res.Err, PreviewPages: int32(res.Pages),
		})
	})
}

func (d *Deps) handleResourcePreviewSweep(ctx context.Context, _ *asynq.Task) error {
	rows, err := d.Store.ListPendingPreviewVersions(ctx, d.Clock.Now().Add(-2*time.Minute))
	if err != nil {
		return err
	}
	if len(rows) == 0 || d.Redis == nil {
		return nil
	}
	queue := asynq.NewClientFromRedisClient(d.Redis)
	for _, r := range rows {
		_, err := queue.EnqueueContext(ctx, NewResourcePreviewTask(r.OrganizationID, r.ID))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return err
		}
	}
	d.Log.Warn("resource previews enqueued by the sweep", "count", len(rows))
	return nil
}
