# Two commands on a fresh machine: `make course` and `make test`. No conda needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Tests and the site build run two processes on two cores: one BLAS thread each is fastest for
# the course's small matrices (threads fighting over cores made products 10-100x slower).
course test: export OMP_NUM_THREADS := 1
course test: export OPENBLAS_NUM_THREADS := 1
course test: export MKL_NUM_THREADS := 1

.PHONY: course test lab instructor widgets exercises grade benchmarks clean help

help:
	@echo "make course      build the executed course site under _build/course/"
	@echo "make test        run every test: unit, derivative families, notebooks, exercises"
	@echo "make lab         JupyterLab for a student: the whole course (lectures/, exercises/release/,"
	@echo "                 widgets), opening on lectures/; makes the release first if it is missing"
	@echo "make instructor  JupyterLab in exercises/ for an instructor: nbgrader's Formgrader lists"
	@echo "                 every assignment; release and collect through exercises/exchange/"
	@echo "make widgets     serve every widget as a page with Voila: http://localhost:8866/"
	@echo "make exercises   generate the student release under exercises/release/ and create"
	@echo "                 nbgrader's exchange exercises/exchange/"
	@echo "make grade ASSIGNMENT=09_resnet_backpropagation   grade exercises/submitted/*/ASSIGNMENT"
	@echo "                 with the judge, in the sandbox (needs MEGANET_GRADING_SECRET)"
	@echo "make benchmarks  run the benchmark scripts and print their tables"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# One stamp per set of extras: reinstall when pyproject.toml changes.
$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[course]"
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

course: $(VENV)/.course
	$(BIN)/python course/build.py --out _build/course

test: $(VENV)/.test
	$(BIN)/pytest -n 2 --dist loadfile

# As root (a container, a cloud VM) JupyterLab refuses to start without --allow-root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The student's JupyterLab: the repository root is its root directory, so lectures/, the
# released exercises and the widget notebooks are all reachable; it opens on lectures/
# (LabApp.default_url: JupyterLab replaces ServerApp.default_url by its own).
# (tests/test_lab_browser.py starts JupyterLab with this recipe's arguments: `make -n lab`.)
lab: $(VENV)/.course | exercises/release
	@$(if $(ROOT_FLAG),echo "running as root: starting JupyterLab with --allow-root",true)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/lectures

# The instructor's JupyterLab starts in exercises/, where nbgrader finds nbgrader_config.py:
# the Formgrader (Nbgrader menu) lists every assignment and releases and collects through
# the course-local exchange exercises/exchange/.
instructor: $(VENV)/.course | exercises/release
	@$(if $(ROOT_FLAG),echo "running as root: starting JupyterLab with --allow-root",true)
	cd exercises && $(abspath $(BIN))/jupyter lab $(ROOT_FLAG)

# Made only when missing (an order-only prerequisite of lab and instructor).
exercises/release:
	$(MAKE) exercises

# Voila runs each widget notebook of course/widgets/ and shows only its output: no code.
widgets: $(VENV)/.course
	$(BIN)/voila --no-browser --port=8866 course/widgets

exercises: $(VENV)/.course
	$(BIN)/python course/release_exercises.py --root exercises

# The judge seeds each student's questions from this secret: keep it, and keep it private.
grade: $(VENV)/.course
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=<assignment>"; exit 2; }
	@test -n "$$MEGANET_GRADING_SECRET" || { echo "set MEGANET_GRADING_SECRET (any private string)"; exit 2; }
	cd exercises && $(CURDIR)/$(BIN)/python -c "import os; from meganet.grading.autograde import grade_class; \
	  [print(row) for row in grade_class('.', '$(ASSIGNMENT)', secret=os.environ['MEGANET_GRADING_SECRET'])]"

benchmarks: $(VENV)/.test
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build exercises/release .pytest_cache
