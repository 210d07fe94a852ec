# The two commands a fresh machine needs: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench load scrapes heldout fuzz clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@# A CJK font for the digest's charts (without one, digests go without charts); best effort.
	@fc-list 2>/dev/null | grep -qi -e 'CJK' -e 'WenQuanYi' || (command -v apt-get >/dev/null && \
		(apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1))) || \
		echo "note: no CJK font installed (apt-get install fonts-wqy-microhei): digests will go without charts"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/scrm demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || \
		(echo "bench needs wrk (apt-get install wrk)"; exit 1)
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.welcome
	$(BIN)/python -m bench.replies
	$(BIN)/python -m bench.parse
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.digests

# Acks while the pipeline is saturated (1,000 callbacks/s offered), and the pipeline's capacity.
load: $(STAMP)
	$(BIN)/python -m bench.load

# Acks while 32 clients loop on /metrics and /healthz over 300,000 old rows a queue (issue 19).
scrapes: $(STAMP)
	$(BIN)/python -m bench.scrapes

# The fuzzing campaign: 50,000 cases a property (100,000 in all); `make test` runs 200 of each.
fuzz: $(STAMP)
	SCRM_FUZZ_EXAMPLES=50000 $(BIN)/pytest tests/fuzz -p no:randomly -o timeout=0

# The held-out score: messages written blind, before the code that reads them (report it, never tune to it).
heldout: $(STAMP)
	$(BIN)/python -m tests.handlers.parsing.heldout

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
