package seed

// A minimal DemoVideo for the training seed. The branch `room` adds
// app/seed/video.go with the same function; the lead keeps one of the two at
// merge (this file is then deleted).

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// DemoVideo writes a short test-pattern video (3 s, 320×180, silent) into dir
// with ffmpeg and returns its path. format is "webm" (VP8) or "mp4" (H.264).
// Without ffmpeg on the PATH it returns an error (the caller skips the video).
func DemoVideo(ctx context.Context, dir, format string) (string, error) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", fmt.Errorf("demo video: %w", err)
	}
	args := []string{"-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=3:size=320x180:rate=15", "-an"}
	switch format {
	case "webm":
		args = append(args, "-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8")
	case "mp4":
		args = append(args, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart")
	default:
		return "", fmt.Errorf("demo video: unknown format %q", format)
	}
	out := filepath.Join(dir, "demo."+format)
	if b, err := exec.CommandContext(ctx, ffmpeg, append(args, out)...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("demo video: ffmpeg: %w: %s", err, b)
	}
	return out, nil
}
