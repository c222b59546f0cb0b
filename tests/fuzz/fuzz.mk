# fuzz.mk - the fuzz targets of tests/fuzz/, included from the Makefile.
# Replays: $(BUILD)/tests/replay_<target>, built with the normal compiler and flags (part
# of check-tests, so SANITIZE=1 runs them under ASan+UBSan); tests/run.sh runs them over
# tests/fuzz/corpus/<target> and tests/fuzz/crashes/<target>.
# `make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="http capture"]`: clang libFuzzer builds in
# build/fuzz/, each target run FUZZ_SECONDS, one after the other (tests/fuzz/run_fuzz.sh).
# `make fuzz-merge`: minimise each corpus plus what the runs found into tests/fuzz/corpus/
# (tests/fuzz/cover.py: libFuzzer's -merge=1, then a set cover when that is too big).

FUZZ_ALL     := decode reasm http capture
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS := -I$(LLHTTP_INC) -I$(PQ_INC) -Isrc -I$(FUZZ_DIR) -Itests/fuzz -D_GNU_SOURCE
FUZZ_CFLAGS  := -std=c11 -O1 -g $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJS := $(LIB_SRCS:src/%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/sql_embed.o
FUZZ_LLHTTP_OBJS := $(LLHTTP_OBJS:$(BUILD)/llhttp/%=$(FUZZ_DIR)/llhttp/%)
HTTP_OBJ_NAMES := http http_parse http_callbacks http_detect http_fields http_txq rules status
REPLAY_BINS  := $(FUZZ_ALL:%=$(BUILD)/tests/replay_%)

.PHONY: fuzz fuzz-build fuzz-merge

# ---- replays: the normal build ----

$(BUILD)/tests/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(BUILD)/tests/replay_decode: $(BUILD)/decode.o
$(BUILD)/tests/replay_reasm: $(BUILD)/reasm.o
$(BUILD)/tests/replay_http: $(HTTP_OBJ_NAMES:%=$(BUILD)/%.o) $(LLHTTP_OBJS)
$(BUILD)/tests/replay_capture: $(LIB_OBJS) $(LLHTTP_OBJS)

# ---- libFuzzer builds: clang only ----

$(FUZZ_DIR)/obj/%.o: src/%.c | $(FUZZ_DIR)/sql_embed.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/sql_embed.c $(FUZZ_DIR)/sql_embed.h: $(SQL_FILES) tests/embed_sql.sh
	@mkdir -p $(FUZZ_DIR)
	sh tests/embed_sql.sh $(FUZZ_DIR)/sql_embed $(SQL_FILES)

$(FUZZ_DIR)/obj/sql_embed.o: $(FUZZ_DIR)/sql_embed.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -std=c11 -O1 $(FUZZ_SAN) -c -o $@ $<

$(FUZZ_DIR)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -I$(LLHTTP_INC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -w -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) \
	    $(LDLIBS)

$(FUZZ_DIR)/fuzz_decode: $(FUZZ_DIR)/obj/decode.o
$(FUZZ_DIR)/fuzz_reasm: $(FUZZ_DIR)/obj/reasm.o
$(FUZZ_DIR)/fuzz_http: $(HTTP_OBJ_NAMES:%=$(FUZZ_DIR)/obj/%.o) $(FUZZ_LLHTTP_OBJS)
$(FUZZ_DIR)/fuzz_capture: $(FUZZ_LIB_OBJS) $(FUZZ_LLHTTP_OBJS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

# clang and its libFuzzer runtime come from Debian (tests/install-deps.sh fuzz).
fuzz:
	@sh tests/install-deps.sh fuzz
	$(MAKE) fuzz-build
	@rc=0; for t in $(FUZZ_TARGETS); do \
	    sh tests/fuzz/run_fuzz.sh $$t $(FUZZ_SECONDS) || rc=1; done; exit $$rc

# At most FUZZ_CORPUS_FILES inputs and FUZZ_CORPUS_BYTES per checked-in corpus.
FUZZ_CORPUS_FILES ?= 300
FUZZ_CORPUS_BYTES ?= 1000000

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_DIR)/corpus/$$t && \
	    python3 tests/fuzz/cover.py $(FUZZ_DIR)/fuzz_$$t tests/fuzz/corpus/$$t \
	        $(FUZZ_CORPUS_FILES) $(FUZZ_CORPUS_BYTES) tests/fuzz/corpus/$$t \
	        $(FUZZ_DIR)/corpus/$$t || exit 1; done

-include $(wildcard $(FUZZ_DIR)/obj/*.d)
