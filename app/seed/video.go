package seed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoFFmpeg is DemoVideo's answer when ffmpeg is not installed: the seed
// then logs one line and goes on without the video (a laptop without
// ffmpeg still gets the rest of the demo). CI installs ffmpeg (.ci/services).
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: the demo video is skipped")

// DemoVideo makes a short real video (3 s, 320×180, 15 fps, no sound) from
// ffmpeg's lavfi test pattern into dir and returns its path. format is
// "webm" (VP8) or "mp4" (H.264, yuv420p, faststart so a browser can play it
// while it loads). Nothing is downloaded; the file is a few tens of KB.
// Other seeds (e.g. a training lesson's video) call it too.
func DemoVideo(ctx context.Context, dir, format string) (string, error) {
	var codec []string
	switch format {
	case "webm":
		codec = []string{"-c:v", "libvpx", "-b:v", "200k", "-deadline", "realtime", "-cpu-used", "8"}
	case "mp4":
		codec = []string{"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart"}
	default:
		return "", fmt.Errorf("demo video: unknown format %q (webm or mp4)", format)
	}
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	out := filepath.Join(dir, "demo-video."+format)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", "testsrc=duration=3:size=320x180:rate=15", "-an"}, codec...)
	args = append(args, out)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		_ = os.Remove(out)
		return "", fmt.Errorf("demo video (%s): %w: %s", format, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
