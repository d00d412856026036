# Everyday commands. `make test` is what CI (.ci/run) and the README use.
# Tests need PostgreSQL on 127.0.0.1:5432 (trust, user postgres), Redis on
# 127.0.0.1:6379 and Chromium: .ci/services installs and starts them.

GO_FILES = git ls-files -z --cached --others --exclude-standard '*.go'

.PHONY: run test check fmt generate build

run: ## migrate, seed and run web + worker + scheduler in one process
	go run . dev

test: ## install/start PostgreSQL, Redis, Chromium if missing, then every test
	.ci/services
	go test -count=1 -p 2 -timeout 20m ./...

# gofmt, go vet, and generated code in sync with schema.sql and queries/.
check:
	@unformatted="$$($(GO_FILES) | xargs -0 -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt needed on (run: make fmt):"; echo "$$unformatted"; exit 1; \
	fi
	go vet ./...
	go tool sqlc diff

fmt:
	$(GO_FILES) | xargs -0 -r gofmt -w

generate:
	go tool sqlc generate

build:
	go build -o portal .
