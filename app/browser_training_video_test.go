package app_test

import (
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerportal/app/seed"
)

// The demo lesson's uploaded video plays in the browser's own player:
// Chromium reads its metadata and plays it (through Range requests).
func TestBrowserLessonVideoPlays(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (the demo video is made with it)")
	}
	env := trainingEnv(t)
	if err := seed.TrainingVideo(t.Context(), env.Store, env.Files, env.Log); err != nil {
		t.Fatal(err)
	}
	course := courseID(t, env, "Acme Cloud Fundamentals")
	lesson := queryInt(t, env, "SELECT id FROM lessons WHERE course_id = $1 AND title = 'What Acme Cloud does' AND video_key <> ''", course)
	b := newBrowserWithin(t, env, 2*time.Minute)
	b.signIn("admin@globex.test")
	b.open(fmt.Sprintf("/training/courses/%d/lessons/%d", course, lesson))
	b.do(chromedp.WaitVisible(chromedp.ID("lesson-video")))
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const v = document.getElementById("lesson-video"); v.muted = true; v.play(); })()`))
	waitUntil(t, b, "the video playing", func() bool {
		played, _ := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`(() => { const v = document.getElementById("lesson-video"); return v.error ? -1 : v.currentTime; })()`))
		return played > 0.2
	})
	duration, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`document.getElementById("lesson-video").duration`))
	if err != nil || duration < 2.5 || duration > 3.5 {
		t.Errorf("duration %.2f s (%v), want the 3 s demo video", duration, err)
	}
}
