# CityOps Warehouse: `make demo` runs the pipeline on a generated city, `make test` runs the suite.
PYTHON ?= python3
UV      = $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS = never
# Trust the system certificate store (machines behind a TLS-inspecting proxy).
export UV_SYSTEM_CERTS = 1
export UV_PYTHON = $(PYTHON)
RUN     = $(UV) run --locked --no-sync

.PHONY: install demo test test-deps test-fast lint bench clean

install: .venv/.installed

# Bytecode is compiled once at install: where PYTHONDONTWRITEBYTECODE is set,
# every process would otherwise compile Airflow, dbt, GX and cosmos from source on import
# (measured: 17 s of CPU a process before, 8 s after).
.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==0.13.8" \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages "uv==0.13.8"
	$(UV) sync --locked --compile-bytecode
	@touch $@

demo: install
	$(RUN) cityops demo

# The run-report test renders the page in Debian's chromium; installed here when we may.
test-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
		|| echo "chromium not installed: the report rendering test will be skipped"; }

test: install test-deps
	$(RUN) pytest

# The unit tier: no warehouse started or reached, fewer generated examples (~20 s).
test-fast: install
	CITYOPS_TEST_NO_WAREHOUSE=1 $(RUN) pytest tests/unit -q

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

bench: install
	$(RUN) python bench/run_all.py

clean:
	-$(RUN) cityops warehouse stop
	rm -rf .cityops
