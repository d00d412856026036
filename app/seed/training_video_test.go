package seed_test

import (
	"io"
	"os/exec"
	"testing"

	"partnerportal/app/apptest"
	"partnerportal/app/media"
	"partnerportal/app/seed"
)

// The demo video lesson gets a real uploaded WebM (made by ffmpeg), kept
// across starts, made again when the file store lost it, and dropped (text
// only) when it is lost and ffmpeg is missing.
func TestTrainingVideo(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	env := apptest.NewEnv(t, apptest.Options{NoWorker: true})
	ctx := t.Context()
	lesson := func() (id int64, key, typ string) {
		t.Helper()
		if err := env.Store.Pool.QueryRow(ctx, `SELECT l.id, l.video_key, l.video_type FROM lessons l JOIN courses c ON c.id = l.course_id
			WHERE c.title = 'Acme Cloud Fundamentals' AND l.title = 'What Acme Cloud does'`).Scan(&id, &key, &typ); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, key, _ := lesson(); key != "" {
		t.Fatalf("video before the file store is seeded: %q", key)
	}
	if err := seed.TrainingVideo(ctx, env.Store, env.Files, env.Log); err != nil {
		t.Fatal(err)
	}
	_, key, typ := lesson()
	obj, err := env.Files.Open(ctx, key)
	if err != nil {
		t.Fatalf("video %q: %v", key, err)
	}
	head := make([]byte, media.SniffLen)
	n, _ := io.ReadFull(obj, head)
	size := obj.Info().Size
	obj.Close()
	if typ != "video/webm" || media.Sniff(head[:n]) != "video/webm" || size < 1000 {
		t.Errorf("video %s, sniffed %s, %d bytes", typ, media.Sniff(head[:n]), size)
	}
	// Again (every start): kept as it is.
	if err := seed.TrainingVideo(ctx, env.Store, env.Files, env.Log); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := lesson(); again != key {
		t.Errorf("second run changed the video: %q → %q", key, again)
	}
	// The file store lost it: made again.
	if err := env.Files.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := seed.TrainingVideo(ctx, env.Store, env.Files, env.Log); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Files.Stat(ctx, key); err != nil {
		t.Errorf("video not made again: %v", err)
	}
	// Lost, and no ffmpeg: the lesson becomes text only (no broken player).
	if err := env.Files.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	if err := seed.TrainingVideo(ctx, env.Store, env.Files, env.Log); err != nil {
		t.Fatal(err)
	}
	if _, k, _ := lesson(); k != "" {
		t.Errorf("lesson still points at the lost video %q", k)
	}
}
