# ovseg: the two commands of the README. Both install what they need (idempotently) into .venv.
PY := .venv/bin/python
export OVSEG_WHEELHOUSE ?=

.PHONY: install test test-fast quickstart clean-venv

install:
	@bash tools/install.sh

# Whole suite, slow end-to-end tests included (what CI runs).
test: install
	@$(PY) -m pytest tests -q -ra; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken" >&2; exit 1; fi; exit $$rc

# Without the tests marked slow.
test-fast: install
	@$(PY) -m pytest tests -q -ra -m "not slow"

# The main job on the built-in default: SynthWorld -> small CLIP -> zero-shot evaluation.
quickstart: install
	@$(PY) tools/quickstart.py --work-dir work_dirs/quickstart

clean-venv:
	rm -rf .venv
