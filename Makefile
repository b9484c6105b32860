# Renshi: `make run` builds everything and starts the demo on SQLite;
# `make test` runs every test. See README.md.

SHELL    := /bin/bash
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/renshi/renshi/internal/app.Version=$(VERSION)
GO       ?= go
BIN      := bin/renshi
ADDR     ?= :8080
GO_SRC   := $(shell find cmd internal web -name '*.go' -not -path '*/node_modules/*') go.mod go.sum $(shell find internal -name '*.sql')
WEB_SRC  := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)

.PHONY: all build run web test test-go test-go-sqlite test-go-postgres test-web test-e2e bench lint fmt clean

all: build

## build: the web app and the binary (with the web app embedded)
build: $(BIN)

$(BIN): web/dist/index.html $(GO_SRC)
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/renshi

web: web/dist/index.html

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SRC)
	cd web && npm run build

e2e/node_modules/.installed: e2e/package.json e2e/package-lock.json
	cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

## run: build, create the demo company (password printed once) and serve on ADDR
run: build
	./$(BIN) seed demo --employees 300
	./$(BIN) serve --addr $(ADDR)

## test: every test (Go on SQLite, Go on PostgreSQL when RENSHI_TEST_POSTGRES is set, web unit, browser)
test: lint test-go test-web test-e2e

test-go: test-go-sqlite test-go-postgres

test-go-sqlite: web/dist/index.html
	env -u RENSHI_TEST_POSTGRES $(GO) test -count=1 ./...

test-go-postgres: web/dist/index.html
	@if [ -n "$$RENSHI_TEST_POSTGRES" ]; then \
		echo "== Go tests on PostgreSQL"; \
		$(GO) test -count=1 ./...; \
	else \
		echo "== RENSHI_TEST_POSTGRES not set: PostgreSQL run skipped (.ci/run sets it)"; \
	fi

test-web: web/node_modules/.installed
	cd web && npm test

test-e2e: $(BIN) e2e/node_modules/.installed
	cd e2e && npx playwright test

## bench: print the speed and memory figures (see docs/operations.md)
bench: $(BIN)
	$(GO) test -run XXX -bench . -benchmem ./internal/... | grep -E '^(Benchmark|ok|PASS|FAIL)' || true
	$(GO) run ./bench -bin $(BIN)

lint:
	@out=$$(gofmt -l cmd internal web/*.go bench 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w cmd internal bench web/*.go

clean:
	rm -rf bin web/dist/assets web/dist/index.html
