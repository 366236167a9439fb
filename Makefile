# billhound: `make run` sets up what is missing, builds and starts the server;
# `make test` runs every test (real Chromium, real SQLite, the demo portal).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
export BILLHOUND_PLAYWRIGHT_DRIVER ?= $(CURDIR)/.cache/playwright-driver

BIN := ./billhound
UI_INDEX := frontend/dist/spa/index.html
UI_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.js frontend/package.json -type f 2>/dev/null)
GO_SOURCES := $(shell find . -name '*.go' -not -path './frontend/*' -not -path './.cache/*') $(wildcard scripts/portals/*.js) go.mod go.sum

.PHONY: run test deps ui build bench demo clean lint

run: build
	$(BIN) serve

deps:
	@tools/install-deps.sh

$(UI_INDEX): $(UI_SOURCES) frontend/package-lock.json
	@tools/install-deps.sh
	cd frontend && npm run build --silent

ui: $(UI_INDEX)

$(BIN): $(UI_INDEX) $(GO_SOURCES)
	go build -trimpath -o $(BIN) .

build: deps $(BIN)

# The tests build their own binary from the same sources (with the SPA embedded).
test: build
	go vet ./...
	go test -count=1 -p 1 -timeout 12m ./...

# The decoder comparison needs zbarimg as the peer it measures against.
bench: build
	command -v zbarimg >/dev/null || { sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zbar-tools; }
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestCompareDecoders -count=1 -timeout 20m -v ./qrscan/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestSandboxOverhead -count=1 -timeout 10m -v ./scripts/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestRedactSpeed -count=1 -v ./redact/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestFrontDoorFigures -count=1 -timeout 20m -v ./e2e/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestPolicyOverhead -count=1 -timeout 10m -v ./browser/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestKeptSessionSpeed -count=1 -timeout 10m -v ./runner/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestLiveViewFramesAndTakeOver -count=1 -v ./server/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestRunSweep -count=1 -timeout 20m -v ./jobs/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestRunSpeed -count=1 -timeout 40m -v ./e2e/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestOperationsFigures -count=1 -timeout 5m -v ./e2e/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestArchiveFigures -count=1 -timeout 30m -v ./e2e/
	BILLHOUND_BENCH_OUT=docs/BENCHMARKS.md go test -run TestArchivePage -count=1 -timeout 10m -v ./e2e/

demo: build
	$(BIN) demo-portal --addr 127.0.0.1:9911

clean:
	rm -rf $(BIN) frontend/dist/spa
