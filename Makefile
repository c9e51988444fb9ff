# ddwsim - one non-recursive Makefile.
#
#   make all        build ./ddwsim (the default: plain make)
#   make run        build and run configs/default.yaml
#   make test       build and run the whole test suite (unit + end-to-end), after make layers
#   make check      the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the end-to-end tests with ddwsim under valgrind memcheck
#   make layers     no file includes a header of a higher layer; no function over 60 lines
#   make golden     rewrite tests/golden/*.expected (after an intended change)
#   make calibrate  compare with published measurements (reference/numbers.md §4)
#   make speed      replay speed on three cases beside a tight C loop (bench/speed.sh)
#   make trace-mem  peak memory replaying a ~100-million-op trace
#   make live-mem   bytes per live mapping: 2^20 live (functional, timed), 10^8 (bench/live-mem.sh)
#   make import-scale both importers on 10^5 and 10^6 lines: the time ratio (10 = linear)
#   make bench      run the sweeps in bench/sweeps (FULL=1: the full ones; JOBS=N)
#   make plots      draw plots/*.png and *.svg from results/*.csv
#   make fuzz       libFuzzer on each parser, FUZZ_SECONDS (60) each; not part of make test
#   make fuzz-build only build the fuzz targets (build-fuzz/fuzz_<target>)
#   make deps       install missing Debian packages (as root), or print the command
#   make clean      remove build outputs
#   make help       this list
#   V=1             print full commands; local overrides go in config.mak
#   RELEASE=0       ./ddwsim with asserts and without LTO (default 1: -DNDEBUG -flto)

-include config.mak

CC       ?= gcc
PKG_CONFIG ?= pkg-config
OPT      ?= -O2
WARN     := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wvla -Wshadow
CPPFLAGS_ALL = -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	       -DDDWSIM_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
CFLAGS_ALL = $(WARN) $(OPT) -g -MMD -MP $(CFLAGS)
LIBS     = $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml) -lm
VERSION  := 0.1.0

ifeq ($(SAN),)
B := build
else
B := build-san
CFLAGS_ALL += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The sources by layer, lowest first: a file includes headers of its own layer
# or lower ones only (`make layers` checks it, and that every file is listed).
# A module is a file stem: src/M.c, include/ddwsim/M.h, private src/M_int.h.
LAYER_base   := checked err xalloc num outfile infile rng hist engine sparse counters hashmap idpool csv progress
LAYER_model  := tce tce_table tce_cache alloc window link enable_ddw
LAYER_phb    := phb
LAYER_host   := dma_api handles
LAYER_input  := config config_schema config_int config_load config_set config_walk config_check \
		config_print workload trace trace_text trace_bin trace_bin_int trace_bin2 import import_qemu \
		import_ftrace synth synth_multi
LAYER_replay := result cost replay
LAYER_timed  := timed timed_int timed_host timed_dev timed_phb
LAYER_run    := sim
LAYER_report := stats report
LAYER_app    := sweep plot advise main
LAYERS   := base model phb host input replay timed run report app
LIB_SRCS := $(filter-out src/main.c,$(wildcard $(foreach l,$(LAYERS),$(LAYER_$(l):%=src/%.c))))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
MAIN_OBJ := $(B)/obj/main.o
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_OBJS := $(TEST_SRCS:tests/%.c=$(B)/tests/%.o)
BIN      := $(if $(SAN),$(B)/ddwsim,ddwsim)
TEST_BIN := $(B)/ddwsim-tests

BUILD_PKGS := gcc make pkg-config libyaml-dev
TEST_PKGS  := libcriterion-dev xz-utils gnuplot-nox
PLOT_PKGS  := gnuplot-nox

.PHONY: all run test check valgrind golden calibrate speed trace-mem live-mem import-scale bench plots deps deps-build deps-test clean help layers

all: $(BIN)

help:
	@sed -n '3,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# --- dependencies: install when root with apt-get, else print the command ---
# $(call need_pkgs,PKGS)
define need_pkgs
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "ddwsim: installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
		else \
			echo "ddwsim: missing packages:$$missing"; \
			echo "ddwsim: run: sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi
endef

$(B)/.deps-build:
	$(call need_pkgs,$(BUILD_PKGS))
	@mkdir -p $(@D) && touch $@

$(B)/.deps-test:
	$(call need_pkgs,$(TEST_PKGS))
	@mkdir -p $(@D) && touch $@

deps-build: $(B)/.deps-build
deps-test: $(B)/.deps-test
deps: deps-build deps-test
	$(call need_pkgs,$(PLOT_PKGS))

# --- build id: a hash of the sources, for the point cache (src/sweep.c) ---
# The Makefile (and config.mak), every header and source, sorted: the same
# sources give the same id, whatever the build (release, sanitizers). Only
# sweep.c is compiled with it (sweep_build(), which --version prints and a
# point's cache key covers), and $(B)/.build-id changes only when it does.
BUILD_ID := $(shell cat Makefile $(wildcard config.mak) $(sort $(wildcard src/*.c src/*.h include/ddwsim/*.h)) | sha256sum | cut -c1-16)
$(B)/.build-id: FORCE | $(B)/.deps-build
	@mkdir -p $(@D)
	@echo '$(BUILD_ID)' | cmp -s - $@ || echo '$(BUILD_ID)' > $@
$(B)/obj/sweep.o $(B)/rel/sweep.o: $(B)/.build-id
$(B)/obj/sweep.o $(B)/rel/sweep.o: CPPFLAGS_ALL += -DDDWSIM_BUILD_ID='"$(BUILD_ID)"'

# --- flags stamp: objects rebuild when the flags change ---
FLAGS_NOW := $(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS)
$(B)/.flags: FORCE | $(B)/.deps-build
	@mkdir -p $(@D)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@
FORCE:

$(B)/obj/%.o: src/%.c $(B)/.flags | $(B)/.deps-build
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%.o: tests/%.c $(B)/.flags | $(B)/.deps-test
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

$(B)/libddwsim.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# ./ddwsim is a release build (RELEASE=1, the default; not with SAN): the same
# sources again in $(B)/rel/ with -DNDEBUG (no assert on the replay's hot path,
# e.g. idpool_at's id check) and -flto (phb_translate, tce_cache_lookup,
# u64map_get... inlined across files): the random-dma replay of `make speed`
# takes 13 % less CPU. The unit tests link $(B)/libddwsim.a, built with the
# asserts, and the end-to-end tests run this binary; `make check` runs both
# built with the asserts and the sanitizers. The LTO link drops
# -Wmaybe-uninitialized: across files GCC guesses wrongly (csv.c's len), and
# each file is compiled with it (and -Werror) first. RELEASE=0: ./ddwsim from
# the test objects.
RELEASE    ?= 1
REL_FLAGS  := -DNDEBUG -flto=auto
REL_LDWARN := -Wno-maybe-uninitialized
ifeq ($(SAN)$(RELEASE),1)
REL_OBJS := $(LIB_OBJS:$(B)/obj/%=$(B)/rel/%) $(B)/rel/main.o

$(B)/rel/%.o: src/%.c $(B)/.flags | $(B)/.deps-build
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $< (release)")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(REL_FLAGS) -c -o $@ $<

$(BIN): $(REL_OBJS)
	$(if $(Q),@echo "  LD      $@ (release: -DNDEBUG -flto)")
	$(Q)$(CC) $(CFLAGS_ALL) $(REL_FLAGS) $(REL_LDWARN) $(LDFLAGS) -o $@ $^ $(LIBS)
else
$(BIN): $(MAIN_OBJ) $(B)/libddwsim.a
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $^ $(LIBS)
endif

$(TEST_BIN): $(TEST_OBJS) $(B)/libddwsim.a
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

run: $(BIN)
	./$(BIN) --config configs/default.yaml

# The suite: Criterion unit tests and the end-to-end tests (tests/test_cli.c
# runs the binary named by DDWSIM_BIN on tests/golden and tests/bad).
test: $(BIN) $(TEST_BIN) layers
	DDWSIM_BIN=./$(BIN) LSAN_OPTIONS=suppressions=tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ./$(TEST_BIN) $(TEST_ARGS)

# Layers hold, every file is in one, no function is over 60 lines.
layers:
	@sh tests/tools/check-source.sh $(foreach l,$(LAYERS),"$(l): $(LAYER_$(l))")

check:
	$(MAKE) SAN=address,undefined test TEST_ARGS="$(TEST_ARGS)"

# The end-to-end tests with the binary under valgrind memcheck: a leak or an
# invalid access makes ddwsim exit 99, which fails the test that ran it.
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
valgrind: $(BIN) $(TEST_BIN)
	$(call need_pkgs,valgrind)
	DDWSIM_BIN="$(VALGRIND) ./$(BIN)" ./$(TEST_BIN) --filter 'cli/*' $(TEST_ARGS)
	DDWSIM_BIN="$(VALGRIND) ./$(BIN)" ./$(TEST_BIN) --filter 'bad_traces/*' $(TEST_ARGS)
	DDWSIM_BIN="$(VALGRIND) ./$(BIN)" ./$(TEST_BIN) --filter 'bad_configs/*' $(TEST_ARGS)

# Rewrites tests/golden/*.expected from the current binary: only after an
# intended change, and read `git diff tests/golden` before committing.
golden: $(BIN)
	@for f in tests/golden/*.args; do \
		./$(BIN) $$(cat $$f) > $${f%.args}.expected || exit 1; \
		echo "  GOLDEN  $${f%.args}.expected"; \
	done

# The standard sweeps (bench/sweeps/*.yaml) in parallel, resumable; FULL=1
# runs each file's `full:` variant. Then the figures from results/*.csv.
# A point's cached result is keyed by its command, the build and the bytes of
# the files it loads (README "Resumable."), so a rebuild or an edited config
# reruns just the points it changes; nothing here needs clearing.
SWEEPS := $(wildcard bench/sweeps/*.yaml)
bench: $(BIN)
	@for f in $(SWEEPS); do \
		echo "  SWEEP   $$f"; \
		./$(BIN) sweep $$f $(if $(FULL),--full,) $(if $(JOBS),-j $(JOBS),) || exit 1; \
	done

# Each plots/NAME.plot holds `ddwsim plot` arguments (a results/*.csv and
# its --x/--y keys; # starts a comment); ddwsim draws plots/NAME.png and
# plots/NAME.svg from it, each replaced atomically (all or nothing).
plots: $(BIN) $(B)/.deps-plot
	@for f in plots/*.plot; do \
		args=$$(grep -v '^#' $$f); \
		for ext in png svg; do \
			echo "  PLOT    $${f%.plot}.$$ext"; \
			./$(BIN) plot $$args -o $${f%.plot}.$$ext || \
				{ echo "ddwsim: cannot draw $$f (its results/*.csv are made by make bench)"; exit 1; }; \
		done; \
	done

$(B)/.deps-plot:
	$(call need_pkgs,$(PLOT_PKGS))
	@mkdir -p $(@D) && touch $@

# Published measurements vs ddwsim (reference/numbers.md §4).
calibrate: $(BIN)
	DDWSIM_BIN=./$(BIN) sh bench/calibrate.sh

# The simulator's own speed (bench/speed.sh): a generated random-DMA trace,
# a shared QEMU capture (when SPEED_QEMU_LOG exists) and bench/speed.yaml,
# beside a tight C loop on the same addresses (bench/tight_loop.c) and
# tce_cache_lookup alone (bench/lookup_bench.c); compare across commits. The
# traces are made once into build/speed/, again when the generator, the
# importer or the binary trace format changes.
SPD            := build/speed
SPEED_QEMU_LOG ?= ../shared/data/qemu/ddw-off.trace.log.xz
SPEED_FILES    := $(SPD)/tight_loop $(SPD)/cpu_time $(SPD)/lookup_bench $(SPD)/random-dma.ddwb \
		  $(SPD)/random-dma.addr $(if $(wildcard $(SPEED_QEMU_LOG)),$(SPD)/qemu-ddw-off.ddwb)
speed: $(BIN) $(SPEED_FILES)
	DDWSIM_BIN=./$(BIN) SPEED_DIR=$(SPD) sh bench/speed.sh

$(SPD)/tight_loop $(SPD)/cpu_time: $(SPD)/%: bench/%.c $(B)/.flags
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $<

$(SPD)/lookup_bench $(SPD)/trace_addrs: $(SPD)/%: bench/%.c $(B)/libddwsim.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $^ $(LIBS)

$(SPD)/random-dma.ddwb: bench/random-dma-workload.yaml src/synth.c $(wildcard src/trace_bin*.c) | $(BIN)
	@mkdir -p $(@D)
	./$(BIN) trace gen --workload $< --set host.ram=4G --set host.cpus=1 \
		--set host.page_size=4K --set run.ios=20000000 --set run.seed=1 $@

$(SPD)/random-dma.addr: $(SPD)/random-dma.ddwb | $(SPD)/trace_addrs
	$(SPD)/trace_addrs $< $@

$(SPD)/qemu-ddw-off.ddwb: $(SPEED_QEMU_LOG) src/import_qemu.c $(wildcard src/trace_bin*.c) | $(BIN)
	@mkdir -p $(@D)
	xzcat $< | ./$(BIN) trace import --from qemu - $@

# Peak RSS and bytes per live mapping of a functional replay at 2^20 and
# 10^8 live mappings (bench/live-mem.sh; the second takes minutes and about
# 7 GB, LIVE_MEM_1E8=0 skips it). Not part of make test.
live-mem: $(BIN)
	DDWSIM_BIN=./$(BIN) sh bench/live-mem.sh

# Both importers on 10^5 and 10^6 generated lines (bench/import_scale.sh).
import-scale: $(BIN)
	DDWSIM_BIN=./$(BIN) sh bench/import_scale.sh

# A ~100-million-op trace through a pipe: the replay's peak RSS (< 64 MiB).
trace-mem: $(BIN)
	DDWSIM_BIN=./$(BIN) sh bench/trace_mem.sh

# --- fuzzing: one libFuzzer harness per parser (tests/fuzz/fuzz_*.c) ---
# Not part of `make test`. The library is built again with clang, libFuzzer and
# ASan+UBSan in build-fuzz/ (UB stops the run, so the fuzzer sees it). Each
# target runs FUZZ_SECONDS on build-fuzz/corpus/<target>, which grows from run to
# run and is seeded from tests/fuzz/corpus/<target>; crashes, hangs and leaks go
# to build-fuzz/crashes/<target>/. A crash found becomes a regression input in
# tests/fuzz/regressions/<target>/ (tests/test_fuzz_regressions.c runs them).
#   make fuzz                                   all targets, 60 s each
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=config
#   make fuzz-build                             only build build-fuzz/fuzz_<target>
#   FUZZ_ARGS=...                               more libFuzzer options
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config trace_text trace_bin import_qemu import_ftrace replay sweep csv
FZ          := build-fuzz
FUZZ_CC     ?= clang
FUZZ_CFLAGS := $(filter-out -Werror,$(WARN)) -g -O1 -fno-omit-frame-pointer -MMD -MP \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS   := $(LIB_SRCS:src/%.c=$(FZ)/obj/%.o)
FUZZ_BINS   := $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)

.PHONY: fuzz fuzz-build

fuzz: fuzz-build
	@fail=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FZ)/corpus/$$t $(FZ)/crashes/$$t $(FZ)/tmp && \
		cp tests/fuzz/corpus/$$t/* $(FZ)/corpus/$$t/ || exit 1; \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s)"; \
		TMPDIR=$(CURDIR)/$(FZ)/tmp ./$(FZ)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FZ)/crashes/$$t/ $(FUZZ_ARGS) $(FZ)/corpus/$$t || fail="$$fail $$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "ddwsim: fuzz: found a problem in:$$fail (see $(FZ)/crashes/)"; exit 1; fi

fuzz-build: $(FUZZ_BINS)
.SECONDARY: $(FUZZ_OBJS)

$(FZ)/.deps:
	$(call need_pkgs,clang libclang-rt-14-dev $(BUILD_PKGS))
	@mkdir -p $(@D) && touch $@

$(FZ)/obj/%.o: src/%.c | $(FZ)/.deps
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -c -o $@ $<

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) | $(FZ)/.deps
	$(if $(Q),@echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OBJS) $(LIBS)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:%=%.d)

clean:
	rm -rf build build-san ddwsim

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJS:.o=.d) $(REL_OBJS:.o=.d)
