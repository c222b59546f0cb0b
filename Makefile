# httpcap - build, demo, test. Objects go to build/; the program is ./httpcap.
# llhttp is compiled from the Debian node-llhttp package's sources with its own flags.

CC      ?= cc
LLHTTP_INC ?= /usr/share/include/llhttp
LLHTTP_SRC ?= /usr/share/llhttp
# libpq (Debian's libpq-dev): `-o postgresql://`, `httpcap push`, `report postgresql://`;
# only its header at build time: src/pq.c opens libpq.so.5 when a URL is first used
PQ_INC  ?= /usr/include/postgresql
BUILD   := build
SANITIZE ?= 0

OPT      ?= -O2 -g
# Link-time optimisation lets the per-header callbacks inline across the http_* files
# (about 7% fewer instructions on `make bench`); LTO= turns it off.
LTO      ?= -flto=auto
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wwrite-strings -Wformat=2 -Wundef
CPPFLAGS += -I$(LLHTTP_INC) -I$(PQ_INC) -Isrc -I$(BUILD) -D_GNU_SOURCE
CFLAGS   += -std=c11 $(OPT) $(WARN) -MMD -MP
LDLIBS   += -lpcap -lsqlite3 -lpthread -lm -ldl

ifneq ($(SANITIZE),1)
CFLAGS   += $(LTO)
LDFLAGS  += $(OPT) $(LTO)
endif

ifeq ($(SANITIZE),1)
BUILD    := build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS   += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
endif

SRCS     := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/sql_embed.o
LLHTTP_OBJS := $(BUILD)/llhttp/llhttp.o $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o
SQL_TOP  := $(sort $(wildcard sql/*.sql))
SQL_PG   := $(sort $(wildcard sql/pg/*.sql))
SQL_FILES := $(SQL_TOP) $(SQL_PG)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/%)
PCAPW_OBJ := $(BUILD)/tests/pcapw.o
CASEGEN_OBJ := $(BUILD)/tests/casegen.o

PROGRAM := httpcap
ifeq ($(SANITIZE),1)
PROGRAM := $(BUILD)/httpcap
endif

.PHONY: all demo test deps test-deps clean check-tests lint bench install uninstall

all: $(PROGRAM)

$(PROGRAM): $(BUILD)/main.o $(LIB_OBJS) $(LLHTTP_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)/sql_embed.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The SQL of sql/ embedded as C strings, so the binary works when copied alone.
$(BUILD)/sql_embed.c $(BUILD)/sql_embed.h: $(SQL_FILES) tests/embed_sql.sh
	@mkdir -p $(BUILD)
	sh tests/embed_sql.sh $(BUILD)/sql_embed $(SQL_FILES)

$(BUILD)/sql_embed.o: $(BUILD)/sql_embed.c
	$(CC) $(CPPFLAGS) -std=c11 $(OPT) $(SANFLAGS) -c -o $@ $<

$(BUILD)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) -I$(LLHTTP_INC) $(OPT) $(if $(filter 1,$(SANITIZE)),$(SANFLAGS),$(LTO)) -w -c -o $@ $<

$(BUILD)/tests/pcapw.o: tests/pcapw.c tests/pcapw.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -c -o $@ $<

# A unit test links its own stage's object plus the extra objects listed below.
$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/%.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(BUILD)/tests/test_flow: $(BUILD)/reasm.o
$(BUILD)/tests/test_rules: $(BUILD)/status.o
$(BUILD)/tests/test_source: $(BUILD)/decode.o $(BUILD)/pcapng.o
$(BUILD)/tests/test_http: $(BUILD)/http_parse.o $(BUILD)/http_callbacks.o $(BUILD)/http_detect.o $(BUILD)/http_fields.o $(BUILD)/http_txq.o $(LLHTTP_OBJS)
$(BUILD)/tests/test_pipeline: $(LIB_OBJS) $(LLHTTP_OBJS) $(PCAPW_OBJ)
$(BUILD)/tests/test_report_anomaly: $(BUILD)/report_anomaly_list.o $(BUILD)/report_anomaly_text.o $(BUILD)/report_series.o $(BUILD)/report_latency.o $(BUILD)/sql_embed.o
$(BUILD)/tests/test_render_text: $(BUILD)/render_md.o $(BUILD)/render_json.o $(BUILD)/utf8.o
$(BUILD)/tests/test_render_html: $(BUILD)/render_html_chart.o $(BUILD)/utf8.o
$(BUILD)/tests/test_live: $(BUILD)/decode.o
$(BUILD)/tests/test_pg: $(BUILD)/utf8.o $(BUILD)/pq.o
$(BUILD)/tests/test_writer: $(BUILD)/store.o $(BUILD)/checkpoint.o $(BUILD)/store_capture.o $(BUILD)/store_spool.o $(BUILD)/store_stage.o $(BUILD)/rules.o $(BUILD)/status.o $(BUILD)/sql_embed.o
$(BUILD)/tests/test_store: $(BUILD)/checkpoint.o $(BUILD)/store_capture.o $(BUILD)/store_spool.o $(BUILD)/store_stage.o $(BUILD)/rules.o $(BUILD)/status.o $(BUILD)/sql_embed.o $(BUILD)/outpath.o
$(BUILD)/tests/test_jsonl: $(BUILD)/store.o $(BUILD)/checkpoint.o $(BUILD)/store_capture.o $(BUILD)/store_spool.o $(BUILD)/store_stage.o $(BUILD)/rules.o $(BUILD)/status.o $(BUILD)/utf8.o $(BUILD)/sql_embed.o
# store.c, live.c and jsonl.c check output paths (symbolic links in /tmp) through outpath.c
$(BUILD)/tests/test_writer $(BUILD)/tests/test_live $(BUILD)/tests/test_jsonl: $(BUILD)/outpath.o

$(BUILD)/tests/casegen.o: tests/casegen.c tests/casegen.h tests/pcapw.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/genutil.o: tests/genutil.c tests/genutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/tools/%.c $(PCAPW_OBJ) $(CASEGEN_OBJ) $(BUILD)/tests/genutil.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

include tests/fuzz/fuzz.mk

check-tests: $(PROGRAM) $(UNIT_BINS) $(TOOL_BINS) $(REPLAY_BINS)

# Build dependencies from Debian's packages, installed only when missing (needs root).
deps:
	@sh tests/install-deps.sh build

test-deps:
	@sh tests/install-deps.sh test

demo: deps
	$(MAKE) all
	@sh samples/demo.sh ./httpcap

test: test-deps
	$(MAKE) check-tests
	@BUILD=$(BUILD) HTTPCAP=$(abspath $(PROGRAM)) sh tests/run.sh

bench: all $(TOOL_BINS)
	@BUILD=$(BUILD) HTTPCAP=$(abspath $(PROGRAM)) sh tests/bench/bench.sh

# make install [PREFIX=/usr/local] [DESTDIR=staging dir]: the program, its manual page (its
# FILES section names this PREFIX) and the SQL of sql/ and sql/pg/ to read; the program embeds that SQL
# and runs from anywhere. make uninstall removes exactly those files.
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MAN1DIR  = $(PREFIX)/share/man/man1
SQLDIR   = $(PREFIX)/share/httpcap/sql

install: $(PROGRAM)
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MAN1DIR)" "$(DESTDIR)$(SQLDIR)/pg"
	install -m 755 $(PROGRAM) "$(DESTDIR)$(BINDIR)/httpcap"
	sed 's|/usr/local/share/httpcap/|$(PREFIX)/share/httpcap/|' src/httpcap.1 >$(BUILD)/httpcap.1
	install -m 644 $(BUILD)/httpcap.1 "$(DESTDIR)$(MAN1DIR)/httpcap.1"
	install -m 644 $(SQL_TOP) "$(DESTDIR)$(SQLDIR)"
	install -m 644 $(SQL_PG) "$(DESTDIR)$(SQLDIR)/pg"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/httpcap" "$(DESTDIR)$(MAN1DIR)/httpcap.1"
	for f in $(SQL_FILES:sql/%=%); do rm -f "$(DESTDIR)$(SQLDIR)/$$f"; done
	rmdir "$(DESTDIR)$(SQLDIR)/pg" "$(DESTDIR)$(SQLDIR)" "$(DESTDIR)$(PREFIX)/share/httpcap" \
	    2>/dev/null || true

lint:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|sscanf)\s*\(' src/*.c src/*.h

clean:
	rm -rf build httpcap httpcap.db httpcap.db-wal httpcap.db-shm

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
