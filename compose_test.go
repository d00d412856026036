package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// docker-compose.yml, read by the Compose specification's own loader (which
// validates it against the spec's schema): it holds what the README says
// (`docker compose up -d`, `--scale worker=3`) without Docker.
func TestDockerComposeFile(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"docker-compose.yml"}, cli.WithWorkingDirectory("."),
		cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for _, name := range []string{"postgres", "redis", "mailpit", "migrate", "web", "worker", "scheduler"} {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("service %s missing (have %v)", name, p.ServiceNames())
		}
	}
	if t.Failed() {
		return
	}

	// The stores report healthy only when they answer.
	for name, probe := range map[string]string{"postgres": "pg_isready", "redis": "redis-cli ping"} {
		hc := p.Services[name].HealthCheck
		if hc == nil || hc.Disable || !strings.Contains(strings.Join(hc.Test, " "), probe) {
			t.Errorf("%s: health check %v, want one running %q", name, hc, probe)
		}
	}

	// Every service running the portal: one image, its configuration, and
	// it starts only once the stores are healthy and migrate has finished.
	app := []string{"migrate", "web", "worker", "scheduler"}
	for _, name := range app {
		s := p.Services[name]
		if s.Image != "partnerportal:latest" || s.Build == nil {
			t.Errorf("%s: image %q, build %v; want partnerportal:latest built from the Dockerfile", name, s.Image, s.Build)
		}
		for _, v := range []string{"DATABASE_URL", "REDIS_URL", "BASE_URL", "SMTP_URL", "SMTP_FROM"} {
			if val := s.Environment[v]; val == nil || *val == "" {
				t.Errorf("%s: environment %s not set", name, v)
			}
		}
		if !strings.Contains(*s.Environment["SMTP_URL"], "mailpit") {
			t.Errorf("%s: SMTP_URL %q does not point at mailpit", name, *s.Environment["SMTP_URL"])
		}
		want := map[string]string{"postgres": types.ServiceConditionHealthy}
		if name != "migrate" {
			want["redis"] = types.ServiceConditionHealthy
			want["migrate"] = types.ServiceConditionCompletedSuccessfully
		}
		if name == "worker" {
			want["mailpit"] = types.ServiceConditionStarted
		}
		for dep, cond := range want {
			if got, ok := s.DependsOn[dep]; !ok || got.Condition != cond {
				t.Errorf("%s: depends_on %s = %+v, want condition %s", name, dep, got, cond)
			}
		}
	}
	cmd := func(name string) string { return strings.Join(p.Services[name].Command, " ") }
	for name, want := range map[string]string{"migrate": "seed", "web": "web", "worker": "worker", "scheduler": "scheduler"} {
		if got := cmd(name); !strings.HasPrefix(got, want) {
			t.Errorf("%s runs %q, want %q", name, got, want)
		}
	}
	if p.Services["migrate"].Restart != "no" {
		t.Errorf("migrate restarts (%q): it must run once and exit", p.Services["migrate"].Restart)
	}

	// The web tier is health-checked on /readyz (PostgreSQL and Redis answer)
	// and published on 8080.
	web := p.Services["web"]
	if hc := web.HealthCheck; hc == nil || hc.Disable || !slices.ContainsFunc(hc.Test, func(s string) bool { return strings.HasSuffix(s, "/readyz") }) {
		t.Errorf("web: health check %v, want one on /readyz", web.HealthCheck)
	}
	if len(web.Ports) != 1 || web.Ports[0].Target != 8080 {
		t.Errorf("web ports: %+v", web.Ports)
	}

	// `docker compose up --scale worker=N`: no fixed name, no host port.
	w := p.Services["worker"]
	if w.ContainerName != "" || len(w.Ports) != 0 {
		t.Errorf("worker: container_name %q, ports %v: --scale worker=N would collide", w.ContainerName, w.Ports)
	}
	if !strings.Contains(cmd("worker"), "--concurrency") {
		t.Errorf("worker command %q has no --concurrency", cmd("worker"))
	}
	// Stopping gives the worker and web tier time to drain (SHUTDOWN_TIMEOUT 20s).
	for _, name := range []string{"web", "worker"} {
		if g := p.Services[name].StopGracePeriod; g == nil || time.Duration(*g) <= 20*time.Second {
			t.Errorf("%s: stop_grace_period %v, want more than 20s", name, g)
		}
	}
}
