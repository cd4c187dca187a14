# Roost: the two commands are `make run` and `make test`.
SWIFT ?= swift
DATA ?= ./data
PORT ?= 8080
HOST ?= 127.0.0.1

.PHONY: run test build debug conformance clean

## Start the server on http://$(HOST):$(PORT) with its data in $(DATA).
run:
	$(SWIFT) run -c release roost serve --host $(HOST) --port $(PORT) --data $(DATA)

## Build and run every test.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## Release binary at .build/release/roost.
build:
	$(SWIFT) build -c release

debug:
	$(SWIFT) build

## The shared black-box protocol suite against a debug build (needs python3 + websockets).
conformance: debug
	ROOST_BIN=$$($(SWIFT) build --show-bin-path)/roost ROOST_ARGS="--bcrypt-cost 4 --retry-interval 1" \
		ROOST_RETRY_INTERVAL_S=1 python3 -m pytest -q -p no:cacheprovider ../shared/conformance

clean:
	rm -rf .build
