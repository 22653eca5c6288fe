# go.mod pins toolchain go1.26.10 (security fixes in net/http and crypto/tls);
# "auto" lets the go command fetch it through the module proxy when the
# machine's Go is older.
export GOTOOLCHAIN := auto

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X hawker.Version=$(VERSION)
# TAGS=livekit builds in the LiveKit media tier (about 10 MB more); the
# tests always build it so both media tiers stay tested.
TAGS    ?=
TEST_TAGS := livekit

.PHONY: run build test vet fmt web

## run: build and serve the demo at http://localhost:8080 (SQLite in ./data)
run: build
	./bin/hawker serve --demo

## build: the hawker binary in ./bin
build:
	$(GO) build -tags "$(TAGS)" -ldflags "$(LDFLAGS)" -o bin/hawker ./cmd/hawker

## test: vet and all tests with the race detector
test: vet
	$(GO) test -race -count=1 -tags "$(TEST_TAGS)" ./...
	$(GO) test -race -count=1 -run 'TestLiveKitNotBuiltIn' ./cmd/hawker

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags "$(TEST_TAGS)" ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## web: rebuild the UI into web/dist (needs Node 20.19+; dist is committed, so run and build don't)
web:
	cd web && npm ci && npm run build
