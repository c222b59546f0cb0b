#!/usr/bin/env python3
"""test_manpage.py - src/httpcap.1 against the program:
1. the page renders with man(1) and groff with no warning (`groff -ww -z`, and
   `mandoc -T lint` when mandoc is installed) and has the sections a manual page needs;
2. the options each command accepts (its `struct option` table and getopt_long string
   in src/main.c, src/cmd_capture.c or src/pg_cli.c, plus the --max-... limits of src/limits_table.h)
   are exactly those in that command's part of the page and in its --help, and every
   option either names is accepted by the program itself;
3. each limit's default and range in the page and in --help are those of the table;
4. the tables, views and v_transactions columns the page names are those of a database,
   its rule IDs exist, its environment variables are those src/ reads, and its examples
   use real options.
Prints "N passed, N failed[, N skipped]"."""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from testkit import HTTPCAP, ROOT, SAMPLE, check, counts, query, sane

PAGE = os.path.join(ROOT, "src", "httpcap.1")
SRC = os.path.join(ROOT, "src")
COMMANDS = {"read": ("main.c", "cmd_read"), "capture": ("cmd_capture.c", "cmd_capture"),
            "report": ("main.c", "cmd_report"), "rules": ("main.c", "cmd_rules"),
            "push": ("pg_cli.c", "pg_cli_push_command")}
# getenv() names that are test knobs, not for users
TEST_ONLY_ENV = {"HTTPCAP_REPORT_SCAN_SPLIT"}
skipped = [0]


def skip(what):
    skipped[0] += 1
    print("skipped: " + what)


def source(name):
    with open(os.path.join(SRC, name)) as f:
        return f.read()


# ---- options from the source ----

def limits_table():
    """[(name, default, lo, hi)] from the LIMITS X-macro of limits_table.h."""
    text = source("limits_table.h")
    rows = re.findall(r'X\(LIMIT_\w+,\s*"([a-z-]+)",\s*([^,]+),\s*([^,]+),\s*([^,]+),', text)

    def num(expr):
        expr = re.sub(r"\b(\d+)(ull|ul|llu|ll|u|l)\b", r"\1", expr.strip(), flags=re.I)
        if not re.fullmatch(r"[\d\s<()]+", expr):
            raise ValueError("limit value %r" % expr)
        return eval(expr)  # digits and << only, checked above

    return [(n, num(d), num(lo), num(hi)) for n, d, lo, hi in rows]


def function_body(text, name):
    m = re.search(r"^(?:static )?int " + name + r"\(int argc, char \*\*argv\)\n\{\n(.*?)^\}",
                  text, re.M | re.S)
    return m.group(1) if m else None


def option_arrays(text, file_scope):
    """{identifier: [long option names]} of every `struct option NAME[] = {...};` in text:
    only those at file scope (not indented) when file_scope."""
    arrays = {}
    start = r"^" if file_scope else r""
    for m in re.finditer(start + r"(?:static )?(?:const )?struct option (\w+)\[\]\s*=\s*"
                         r"\{(.*?)\};", text, re.S | re.M):
        arrays[m.group(1)] = re.findall(r'\{"([a-z][a-z0-9-]*)",\s*\w+_argument', m.group(2))
    return arrays


def parser_options(cmd, limit_names):
    """The options cmd's parser accepts: {"--long", "-s"}, or None when not found."""
    fname, func = COMMANDS[cmd]
    text = source(fname)
    body = function_body(text, func)
    if body is None:
        return None
    # the function's own tables, and tables at file scope that it names
    opts = set()
    for names in option_arrays(body, False).values():
        opts |= {"--" + n for n in names}
    for ident, names in option_arrays(text, True).items():
        if re.search(r"\b%s\b" % ident, body):
            opts |= {"--" + n for n in names}
    m = re.search(r'getopt_long\(\s*argc,\s*argv,\s*"([^"]*)"', body)
    if not m or not opts:
        return None
    opts |= {"-" + c for c in m.group(1) if c.isalnum()}
    if "limits_longopts(" in body:
        opts |= {"--" + n for n in limit_names}
    return opts


# ---- options named in text ----

LONG = re.compile(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
SHORT = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")


def named_options(text):
    return {"--" + o for o in LONG.findall(text)} | {"-" + o for o in SHORT.findall(text)}


def run(args, timeout=30):
    res = subprocess.run([HTTPCAP] + args, capture_output=True, text=True, timeout=timeout)
    sane(res, " ".join(args))
    return res


def accepted(cmd, opt):
    """Whether the program's parser knows opt (a lone option never starts any work:
    with no file, database or interface it stops at a usage error or prints a list)."""
    res = run([cmd, opt])
    return "unrecognized option" not in res.stderr and "invalid option" not in res.stderr


# ---- the page ----

def render_checks():
    """Render the page; return its text with hyphenated breaks joined, or None."""
    if not shutil.which("groff"):
        skip("groff not installed: the page is not rendered or checked")
        return None
    res = subprocess.run(["groff", "-mandoc", "-ww", "-z", PAGE], capture_output=True,
                         text=True)
    check(res.returncode == 0 and res.stderr == "", "groff -ww -z warns: %s" % res.stderr)
    if shutil.which("mandoc"):
        res = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", PAGE],
                             capture_output=True, text=True)
        check(res.returncode == 0 and res.stdout + res.stderr == "",
              "mandoc -T lint: %s" % (res.stdout + res.stderr))
    else:
        skip("mandoc not installed (mandoc -T lint)")
    if shutil.which("man"):
        env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="")
        res = subprocess.run(["man", "-l", PAGE], capture_output=True, text=True, env=env)
        check(res.returncode == 0 and res.stderr == "" and "EXIT STATUS" in res.stdout,
              "man -l renders the page: %d %r" % (res.returncode, res.stderr))
        wide = [l for l in res.stdout.splitlines() if len(l) > 80]
        check(not wide, "man -l at 80 columns: lines over 80: %s" % wide[:3])
    else:
        skip("man not installed (man -l)")
    res = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-P-cbou", PAGE],
                         capture_output=True, text=True)
    check(res.returncode == 0 and res.stderr == "", "groff -Tutf8: %s" % res.stderr)
    text = res.stdout.replace("\u2010", "-").replace("\u2212", "-")
    # join words groff broke at a hyphen, then lines of a paragraph
    text = re.sub(r"(\w-)\n\s+(?=\w)", r"\1", text)
    return text


def sections(text):
    """{heading: body} for both section (.Sh) and subsection (.Ss) headings."""
    parts = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^(\S.*?)\s*$", line) or re.match(r"^   (\S.*?)\s*$", line)
        if m and not re.match(r"^HTTPCAP\(1\)|^BSD|^\S+\s+\S+ \d+, \d{4}", line):
            current = m.group(1)
            parts[current] = ""
        elif current:
            parts[current] += line + "\n"
    return parts


def command_part(parts, cmd):
    for head, body in parts.items():
        if head.startswith("httpcap " + cmd):
            return head + "\n" + body
    return None


def page_lists(src, start, end):
    """Names of `.It Li` items at depth 1 and 2 between the lines start and end."""
    block = src.split(start, 1)[1].split(end, 1)[0]
    depth = 0
    top, nested = [], []
    for line in block.splitlines():
        if line.startswith(".Bl"):
            depth += 1
        elif line.startswith(".El"):
            depth -= 1
        elif line.startswith(".It Li "):
            names = [n for n in re.split(r"\s*,\s*|\s+", line[7:].rstrip("\\ "))
                     if re.fullmatch(r"\w+", n)]
            (top if depth == 1 else nested).extend(names)
    # a `.It` continued on the next line (ending in a backslash)
    for m in re.finditer(r"^\.It Li .*\\\n\s*(\w+)\s*$", block, re.M):
        nested.append(m.group(1))
    return top, nested


def main():
    limits = limits_table()
    check(len(limits) >= 8, "limits_table.h: %d limits read" % len(limits))
    limit_names = [l[0] for l in limits]
    src = open(PAGE).read()
    text = render_checks()
    parts = sections(text) if text else {}
    for head in ("NAME", "SYNOPSIS", "DESCRIPTION", "LIMITS", "THE SQL INTERFACE",
                 "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        check((".Sh " + head + "\n") in src, "the page has a section %s" % head)
    for ref in ("tcpdump 1", "tshark 1", "sqlite3 1", "pcap-filter 7"):
        check(re.search(r"^\.Xr %s\b" % re.escape(ref), src.split(".Sh SEE ALSO")[-1], re.M),
              "SEE ALSO names %s" % ref)
    exit_part = src.split(".Sh EXIT STATUS")[-1].split(".Sh ")[0]
    check(re.findall(r"^\.It (\d+)$", exit_part, re.M) == ["0", "1", "2"],
          "EXIT STATUS lists 0, 1 and 2")

    # 2. options: source, page, --help, parser
    limit_opts = {"--" + n for n in limit_names}
    for cmd in COMMANDS:
        want = parser_options(cmd, limit_names)
        check(want is not None, "%s: option table and getopt_long string found in src/" % cmd)
        if want is None:
            continue
        res = run([cmd, "--help"])
        check(res.returncode == 0 and res.stderr == "", "%s --help exits 0 quietly" % cmd)
        in_help = named_options(res.stdout)
        check(want <= in_help, "%s --help lacks %s" % (cmd, sorted(want - in_help)))
        check(in_help <= want, "%s --help names options the parser lacks: %s"
              % (cmd, sorted(in_help - want)))
        if text is not None:
            body = command_part(parts, cmd)
            check(body is not None, "the page has a subsection 'httpcap %s'" % cmd)
            if body is not None:
                in_page = named_options(body) - {"--max-name"}
                if "limits_longopts(" in function_body(source(COMMANDS[cmd][0]),
                                                       COMMANDS[cmd][1]):
                    check("--max-name" in named_options(body) and "LIMITS" in body,
                          "%s's subsection points to LIMITS" % cmd)
                    in_page |= limit_opts & named_options(parts.get("LIMITS", ""))
                check(want <= in_page, "the page's %s lacks %s" % (cmd, sorted(want - in_page)))
                check(in_page <= want, "the page's %s names options it lacks: %s"
                      % (cmd, sorted(in_page - want)))
        for opt in sorted(want | in_help):
            check(accepted(cmd, opt), "%s: the program rejects %s" % (cmd, opt))

    # the command list of `httpcap --help` and the page's synopsis
    res = run(["--help"])
    check(res.returncode == 0, "httpcap --help exits 0")
    for line in re.findall(r"^  (\w+ .*)$", res.stdout, re.M):
        cmd = line.split()[0]
        if cmd in COMMANDS:
            want = parser_options(cmd, limit_names) or set()
            extra = named_options(line) - want
            check(not extra, "httpcap --help: %s names %s, not its options" % (cmd, extra))
    if text is not None:
        top = command_part(parts, "--version") or ""
        check({"--version", "--help", "-h"} <= named_options(top),
              "the page's 'httpcap --version' names --version, --help and -h")
        synopsis = parts.get("SYNOPSIS", "")
        for m in re.finditer(r"httpcap (\w+)((?:.|\n(?!\s*httpcap))*)", synopsis):
            cmd = m.group(1)
            if cmd in COMMANDS:
                extra = named_options(m.group(2)) - {"--max-name"} - (
                    parser_options(cmd, limit_names) or set())
                check(not extra, "SYNOPSIS: %s with options it lacks: %s" % (cmd, extra))

    # 3. limits: default and range in the page and in --help
    if text is not None:
        lim = parts.get("LIMITS", "")
        items = re.split(r"\n     (?=--max-)", lim)
        for name, dflt, lo, hi in limits:
            item = " ".join(next((i for i in items if i.startswith("--%s " % name)), "").split())
            check("Default %d" % dflt in item and "from %d to %d" % (lo, hi) in item,
                  "the page's LIMITS: --%s with default %d, from %d to %d: %r"
                  % (name, dflt, lo, hi, item[:200]))
        stray = {o for o in named_options(lim) if o.startswith("--max-")} - limit_opts
        check(not stray, "the page's LIMITS names unknown limits %s" % stray)
    for cmd in ("read", "capture"):
        out = run([cmd, "--help"]).stdout
        for name, dflt, _, _ in limits:
            check(re.search(r"--%s N\s+\(default %d\)" % (name, dflt), out),
                  "%s --help: --%s with default %d" % (cmd, name, dflt))

    # 4. the SQL interface, environment, examples
    tmp = tempfile.mkdtemp(prefix="httpcap-man-")
    db = os.path.join(tmp, "m.db")
    res = run(["read", "-q", SAMPLE, "-o", db], timeout=120)
    if res.returncode == 0:
        tables = {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                          " AND name NOT LIKE 'sqlite_%'")}
        views = {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'view'")}
        columns = {r[1] for r in query(db, "PRAGMA table_info(v_transactions)")}
        page_tables, _ = page_lists(src, ".Ss Tables\n", ".Ss Views\n")
        page_views, page_columns = page_lists(src, ".Ss Views\n", ".Ss Rule IDs\n")
        check(set(page_tables) == tables, "the page's tables %s, the database's %s"
              % (sorted(page_tables), sorted(tables)))
        check(set(page_views) == views, "the page's views %s, the database's %s"
              % (sorted(page_views), sorted(views)))
        check(len(page_columns) > 20 and set(page_columns) <= columns,
              "the page's v_transactions columns not in the view: %s"
              % sorted(set(page_columns) - columns))
    else:
        check(False, "read the sample: %s" % res.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    rule_ids = set(re.findall(r"^(\S+)\s", run(["rules"]).stdout, re.M))
    rules_part = src.split(".Ss Rule IDs")[-1].split(".Sh ")[0]
    named_rules = re.findall(r"^\.Li ([a-z0-9-]+)$", rules_part, re.M)
    check(named_rules and set(named_rules) <= rule_ids,
          "the page's rule IDs %s are rules of `httpcap rules`" % named_rules)

    used = set()
    for name in os.listdir(SRC):
        if name.endswith((".c", ".h")):
            code = source(name)
            used |= set(re.findall(r'getenv\("(\w+)"\)', code))
            used |= set(re.findall(r'"(HTTPCAP_[A-Z_]+)"', code))
    env_part = src.split(".Sh ENVIRONMENT")[-1].split(".Sh ")[0]
    documented = set(re.findall(r"^\.It Ev (\w+)$", env_part, re.M))
    check(used - TEST_ONLY_ENV - {"TERM"} <= documented,
          "ENVIRONMENT lacks %s" % sorted(used - TEST_ONLY_ENV - {"TERM"} - documented))
    check(documented - {"TZ"} <= used, "ENVIRONMENT names variables src/ never reads: %s"
          % sorted(documented - {"TZ"} - used))

    examples = src.split(".Sh EXAMPLES")[-1].split(".Sh ")[0]
    lines = "\n".join(re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed", examples, re.M | re.S))
    lines = re.sub(r"\\e\n", " ", lines)
    lines = re.sub(r"\|\n", "| ", lines)
    n_examples = 0
    for line in lines.splitlines():
        words = shlex.split(line) if "httpcap" in line else []
        while "|" in words:
            words = words[words.index("|") + 1:]
        if len(words) < 2 or words[0] != "httpcap" or words[1] not in COMMANDS:
            continue
        n_examples += 1
        want = parser_options(words[1], limit_names) or set()
        opts = {w.split("=")[0] for w in words[2:] if re.match(r"^--?[A-Za-z]", w)}
        check(opts <= want, "EXAMPLES: %s uses %s" % (line.strip(), sorted(opts - want)))
    check(n_examples >= 5, "EXAMPLES: %d httpcap commands checked" % n_examples)

    line = "%d passed, %d failed" % (counts["passed"], counts["failed"])
    print(line + (", %d skipped" % skipped[0] if skipped[0] else ""))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
