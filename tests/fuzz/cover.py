#!/usr/bin/env python3
"""cover.py BINARY OUTDIR MAX_FILES MAX_BYTES DIR... - the checked-in corpus of one target.

Owns: choosing a small corpus: libFuzzer's -merge=1, kept whole when within the caps;
      else a greedy set cover over each merged input's own edges and features (each
      measured in a fresh process, from the merge control file): most new edges first,
      then most new features, smaller first on ties, until nothing adds or MAX_FILES /
      MAX_BYTES is reached. (libFuzzer 14 has no -set_cover_merge.)
In:   a libFuzzer binary and the directories of inputs (OUTDIR may be one of them).
Out:  OUTDIR holding only the chosen inputs; one summary line.
Never: keeps a crashing input (libFuzzer's merge leaves those out).
"""
import os
import shutil
import subprocess
import sys
import tempfile


def run(binary, args):
    subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)


def coverage_of(binary, path, tmp):
    """(edges, features) of one input, from a one-file merge in a fresh process."""
    ctl = os.path.join(tmp, "ctl")
    out, one = os.path.join(tmp, "out"), os.path.join(tmp, "one")
    for d in (out, one):
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
    shutil.copy(path, one)
    if os.path.exists(ctl):
        os.remove(ctl)
    run(binary, ["-merge=1", "-merge_control_file=" + ctl, out, one])
    cov = {"COV": set(), "FT": set()}
    if os.path.exists(ctl):
        with open(ctl) as f:
            for line in f:
                words = line.split()
                if words and words[0] in cov:
                    cov[words[0]] = set(words[2:])
    return cov["COV"], cov["FT"]


def greedy(files, cov, max_files, max_bytes):
    chosen, edges, feats, total = [], set(), set(), 0
    left = set(files)

    def gain(f):
        return (len(cov[f][0] - edges), len(cov[f][1] - feats), -os.path.getsize(f))

    while left and len(chosen) < max_files:
        best = max(left, key=gain)
        if gain(best)[:2] == (0, 0):
            break
        left.discard(best)
        if total + os.path.getsize(best) > max_bytes:
            continue
        chosen.append(best)
        edges |= cov[best][0]
        feats |= cov[best][1]
        total += os.path.getsize(best)
    return chosen, edges


def main():
    if len(sys.argv) < 6:
        sys.exit("usage: cover.py BINARY OUTDIR MAX_FILES MAX_BYTES DIR...")
    binary, outdir = sys.argv[1], sys.argv[2]
    max_files, max_bytes = int(sys.argv[3]), int(sys.argv[4])
    with tempfile.TemporaryDirectory() as tmp:
        merged = os.path.join(tmp, "merged")
        os.mkdir(merged)
        run(binary, ["-merge=1", merged] + sys.argv[5:])
        files = [os.path.join(merged, n) for n in sorted(os.listdir(merged))]
        if len(files) <= max_files and sum(map(os.path.getsize, files)) <= max_bytes:
            chosen, summary = files, "all merged"
        else:
            cov = {f: coverage_of(binary, f, tmp) for f in files}
            chosen, covered = greedy(files, cov, max_files, max_bytes)
            everything = set().union(*(c[0] for c in cov.values()))
            summary = "%d of %d edges" % (len(covered), len(everything))
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(outdir)
        for f in chosen:
            shutil.copy(f, outdir)
        size = sum(map(os.path.getsize, chosen))
    print("%s: %d files, %d bytes, %s" % (outdir, len(chosen), size, summary))


if __name__ == "__main__":
    main()
