# CityOps Warehouse: `make demo` runs the pipeline on a generated city, `make test` runs the suite.
PYTHON ?= python3
UV      = $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS = never
export UV_PYTHON = $(PYTHON)
RUN     = $(UV) run --locked --no-sync

.PHONY: install demo test test-fast lint bench clean

install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==0.13.8" \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages "uv==0.13.8"
	$(UV) sync --locked
	@touch $@

demo: install
	$(RUN) cityops demo

test: install
	$(RUN) pytest

test-fast: install
	$(RUN) pytest -m "not slow"

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

bench: install
	$(RUN) python bench/run_all.py

clean:
	-$(RUN) cityops warehouse stop
	rm -rf .cityops
