# Everyday commands. `make test` is what CI (.ci/run) and the README use.
# Tests need PostgreSQL on 127.0.0.1:5432 (trust, user postgres), Redis on
# 127.0.0.1:6379 and Chromium: .ci/services installs and starts them.

GO_FILES = git ls-files -z --cached --others --exclude-standard '*.go'

.PHONY: run test check fmt generate build fuzz fuzz-ci

run: ## migrate, seed and run web + worker + scheduler in one process
	go run . dev

test: ## install/start PostgreSQL, Redis, Chromium if missing, then every test
	.ci/services
	go test -count=1 -p 2 -timeout 40m ./...
	$(MAKE) fuzz-ci

# Native fuzzing (go test -fuzz). `go test` above already runs every fuzz
# target on its seed corpus; these run the fuzzer itself, one target at a
# time (a form target runs the whole portal against the test PostgreSQL and
# Redis). A failing input is written to the package's testdata/fuzz/: commit
# it, it becomes a seed.
FUZZTIME ?= 10s
FUZZ_PKGS = ./app ./app/money ./app/iban ./app/clicks
# The CI subset (make test), kept under 2 minutes (each target costs its
# FUZZTIME plus ~8 s of build and start-up on 2 cores; six took 2m12s): the
# lead form's validation, the signature PNG, money, one form and one filter
# page against the real portal. `make fuzz` runs all ~45 targets (~12
# minutes), too long for every CI run.
FUZZ_CI = ./app:FuzzValidateLead ./app:FuzzSignatureImage ./app/money:FuzzParse \
	./app:FuzzFormLeadNew ./app:FuzzQueryLeads

fuzz: ## every fuzz target for FUZZTIME each
	@set -e; for pkg in $(FUZZ_PKGS); do \
		for t in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; \
			go test $$pkg -run '^$$' -fuzz "^$$t\$$" -fuzztime=$(FUZZTIME) -parallel 2; \
		done; \
	done

fuzz-ci: ## a bounded fuzz of a few targets (called by make test)
	@set -e; for pt in $(FUZZ_CI); do \
		pkg=$${pt%%:*}; t=$${pt#*:}; echo "== $$pkg $$t"; \
		scripts/fuzz-one.sh $$pkg $$t $(FUZZTIME); \
	done

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
