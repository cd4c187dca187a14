# Roost: the two commands are `make run` and `make test`.
SWIFT ?= swift
DATA ?= ./data
PORT ?= 8080
HOST ?= 127.0.0.1

# Every conformance client comes from 127.0.0.1: no rate limits, except on the
# suite's private rate-limit server (ROOST_RATE_ARGS come after ROOST_ARGS; the last flag wins).
UNLIMITED = --rate-http off --rate-logins-ip off --rate-logins-account off --rate-registrations-ip off \
	--rate-connections-ip off --rate-connections-user off --rate-messages off --rate-requests off
RATE_ARGS = --rate-limit-loopback --rate-messages 5/min --rate-logins-account 5/min --rate-logins-ip 5/min --rate-failed-login-cost 0 \
	--rate-registrations-ip 5/h --rate-connections-user 5/min --rate-connections-ip 5/min

.PHONY: run test test-postgres test-cluster build debug conformance clean

## Start the server on http://$(HOST):$(PORT) with its data in $(DATA).
run:
	$(SWIFT) run -c release roost serve --host $(HOST) --port $(PORT) --data $(DATA)

## Build and run every test.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# Live-server suites that run unchanged on PostgreSQL (the others drive the SQLite data directory).
PG_SERVER_SUITES = MessagingTests|SyncTests|GroupMessagingTests|GroupMembershipTests|GroupConversationTests
PG_SERVER_SUITES := $(PG_SERVER_SUITES)|HistoryTests|RecallTests|ReadReceiptTests|FriendTests|ConversationListTests
PG_SERVER_SUITES := $(PG_SERVER_SUITES)|EditTests|ReactionTests|SearchTests|BlockTests|BanTests|PresenceTests
PG_SERVER_SUITES := $(PG_SERVER_SUITES)|TypingTests|FileTests|AccountTests|TokenRevocationTests|ClusterTests|PushRegistrationTests|PushDeliveryTests

## The storage suite against PostgreSQL too, then the live-server suites above on a PostgreSQL
## store: a throwaway cluster (scripts/pg-test-cluster.sh) is started for the run and removed
## after it, pass or fail.
test-postgres:
	$(SWIFT) build --build-tests
	@dir=$$(mktemp -d /tmp/roost-pg.XXXXXX); \
	url=$$(scripts/pg-test-cluster.sh start $$dir) || { rm -rf $$dir; exit 1; }; \
	echo "PostgreSQL test cluster: $$url"; \
	ROOST_TEST_POSTGRES_URL=$$url $(SWIFT) test --skip-build --no-parallel --filter RoostStorageTests \
		&& ROOST_TEST_SERVER_POSTGRES_URL=$$url $(SWIFT) test --skip-build --no-parallel \
			--filter 'RoostServerTests\.($(PG_SERVER_SUITES))'; rc=$$?; \
	scripts/pg-test-cluster.sh stop $$dir; exit $$rc

## Two `roost serve` processes on a throwaway PostgreSQL: messages, presence, typing, device
## replacement and the device cap across nodes, and a node killed with SIGKILL (scripts/cluster-test.sh).
test-cluster:
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/cluster-test.sh

## Release binary at .build/release/roost.
build:
	$(SWIFT) build -c release

debug:
	$(SWIFT) build

## The shared black-box protocol suite against a debug build (needs python3 + websockets).
conformance: debug
	ROOST_BIN=$$($(SWIFT) build --show-bin-path)/roost \
		ROOST_ARGS="--bcrypt-cost 4 --retry-interval 1 $(UNLIMITED)" ROOST_RATE_ARGS="$(RATE_ARGS)" \
		ROOST_RATE_MESSAGES=5 ROOST_RATE_LOGINS=5 ROOST_RATE_REGISTRATIONS=5 ROOST_RATE_CONNECTIONS=5 \
		ROOST_RETRY_INTERVAL_S=1 python3 -m pytest -q -p no:cacheprovider ../shared/conformance

clean:
	rm -rf .build
