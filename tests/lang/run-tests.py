#!/usr/bin/env python3
"""Runs Nix language tests (the format of Nix's tests/functional/lang) against nixpp.

Each DIR holds tests named parse-okay-*.nix, parse-fail-*.nix, eval-okay-*.nix and
eval-fail-*.nix with their expected outputs (.exp, .err.exp, .exp.xml, .flags, .postprocess,
.exp-disabled). As in Nix's runner, DIR is visible as ./lang (a bind mount where possible, else
a symlink) from the working directory, the working directory is replaced by /pwd in outputs, and
the environment is TEST_VAR=foo,
NIX_PATH=lang/dir3:lang/dir4, HOME=/fake-home, NIX_REMOTE=dummy:// with NIX_STORE_DIR=/nix/store,
and the experimental features nix-command, flakes and fetch-tree enabled through NIX_CONFIG.

With --restore-symlinks FILE (tests/lang/flattened-symlinks.txt), entries that are symbolic links
in Nix's source tree but were flattened into regular files holding the link's target (a copy made
without symlink support) are restored in a temporary copy of the folder, which the tests then use;
the runner lists what it restored.

Prints per category "N passed, N failed" (and the stricter error-text figure), then the overall
"N passed, N failed" alone on the last line. Exit status 1 if a --require-all category has a
failure or a --min / --min-exact figure is not reached.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

CATEGORIES = ["parse-okay", "parse-fail", "eval-okay", "eval-fail"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def can_bind_mount(tmp):
    """Whether this process may bind-mount in a private mount namespace (root, or user namespaces)."""
    probe = os.path.join(tmp, "probe")
    os.mkdir(probe)
    try:
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "mount", "--bind", tmp, probe],
                              capture_output=True).returncode == 0
    except OSError:
        return False
    finally:
        os.rmdir(probe)


def read_symlink_manifest(path):
    """[(relative path, target)] from a --restore-symlinks file (comments and blank lines skipped)."""
    entries = []
    for line in read(path).decode().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rel, target = line.split()
            entries.append((rel, target))
    return entries


def flattened_symlinks(d, manifest):
    """The manifest's entries that are, in folder d, regular files holding exactly their target."""
    found = []
    for rel, target in manifest:
        p = os.path.join(d, rel)
        if os.path.isfile(p) and not os.path.islink(p) and read(p) == target.encode():
            found.append((rel, target))
    return found


def restored_copy(d, links, dest):
    """Copies folder d to dest (symlinks kept as symlinks) with `links` made symbolic links again."""
    shutil.copytree(d, dest, symlinks=True)
    for rel, target in links:
        p = os.path.join(dest, rel)
        os.chmod(os.path.dirname(p), 0o755)
        os.chmod(p, 0o644)
        os.unlink(p)
        os.symlink(target, p)
    return dest


def run_one(args, tmp, test_dir, cat, name, timeout):
    """Returns (passed, strict_passed_or_None, detail)."""
    lang = os.path.join(tmp, "lang")
    base = os.path.join(test_dir, name)
    env = {
        "TEST_VAR": "foo",
        "NIX_PATH": "lang/dir3:lang/dir4",
        "HOME": "/fake-home",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # As Nix's runner (tests/functional/lang/test.py): the store is dummy:// over /nix/store,
        # so expected outputs show /nix/store paths and nothing is read or written there.
        "NIX_REMOTE": "dummy://",
        "NIX_STORE_DIR": "/nix/store",
        "NIX_STATE_DIR": os.path.join(tmp, "state"),
        "NIX_CONF_DIR": os.path.join(tmp, "etc"),
        "NIX_CONFIG": "experimental-features = nix-command flakes fetch-tree",
    }
    flags = []
    if os.path.exists(base + ".flags"):
        flags = read(base + ".flags").decode().split()
    stdin = None
    if cat.startswith("parse"):
        cmd = [args.nix_instantiate, "--parse", "-"]
        stdin = read(base + ".nix")
    elif cat == "eval-okay":
        if os.path.exists(base + ".exp.xml"):
            cmd = [args.nix_instantiate, "--eval", "--xml", "--no-location", "--strict", "lang/" + name + ".nix"]
        else:
            cmd = [args.nix_instantiate] + flags + ["--eval", "--strict", "lang/" + name + ".nix"]
    else:
        cmd = [args.nix_instantiate] + (flags or ["--eval", "--strict", "--show-trace"]) + ["lang/" + name + ".nix"]
    try:
        if args.bind_lang:
            # ./lang is a real directory (bind-mounted in a private mount namespace), as in Nix's
            # runner: `builtins.path { path = ./.; }` must copy a directory, not a symlink.
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount --bind "$0" lang && exec "$@"', test_dir] + cmd
        p = subprocess.run(cmd, input=stdin, cwd=tmp, env=env, capture_output=True, timeout=timeout)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        return False, False, "timeout"
    real_tmp = os.path.realpath(tmp).encode()
    out = out.replace(real_tmp, b"/pwd").replace(tmp.encode(), b"/pwd")
    err = err.replace(real_tmp, b"/pwd").replace(tmp.encode(), b"/pwd")
    if os.path.exists(base + ".postprocess"):
        stem = os.path.join(tmp, "out", name)
        with open(stem + ".out", "wb") as f:
            f.write(out)
        with open(stem + ".err", "wb") as f:
            f.write(err)
        subprocess.run(["bash", base + ".postprocess", stem], cwd=tmp, env=env, capture_output=True)
        out, err = read(stem + ".out"), read(stem + ".err")

    def same(actual, expfile):
        return actual == read(expfile)

    if cat == "parse-okay":
        ok = rc == 0 and same(out, base + ".exp")
        return ok, None, "" if ok else f"exit {rc}\n{err.decode(errors='replace')}"
    if cat == "parse-fail" or cat == "eval-fail":
        ok = rc == 1
        strict = ok and os.path.exists(base + ".err.exp") and same(err, base + ".err.exp")
        return ok, strict, "" if strict else f"exit {rc}\n{err.decode(errors='replace')}"
    # eval-okay
    exp = base + ".exp.xml" if os.path.exists(base + ".exp.xml") else base + ".exp"
    ok = rc == 0 and same(out, exp)
    strict = None
    if os.path.exists(base + ".err.exp"):
        strict = ok and same(err, base + ".err.exp")
    return ok, strict, "" if ok else f"exit {rc}\n{err.decode(errors='replace')[:2000]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", help="test folders")
    ap.add_argument("--nix-instantiate", default="nix-instantiate", help="the program under test")
    ap.add_argument("--categories", default=",".join(CATEGORIES), help="comma-separated categories to run")
    ap.add_argument("--require-all", default="", help="categories in which every test must pass (incl. error text)")
    ap.add_argument("--min", action="append", default=[], metavar="CAT=N", help="require at least N passes in CAT")
    ap.add_argument("--min-exact", action="append", default=[], metavar="CAT=N",
                    help="require at least N tests of CAT with exactly the expected error text (stderr)")
    ap.add_argument("--filter", default="", help="only tests whose name contains this")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--restore-symlinks", metavar="FILE",
                    help="restore symbolic links that a copy of the tests flattened into regular files (see the file)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list failing tests (with their stderr)")
    args = ap.parse_args()
    args.nix_instantiate = os.path.abspath(args.nix_instantiate) if os.sep in args.nix_instantiate else args.nix_instantiate
    cats = [c for c in args.categories.split(",") if c]
    for c in cats:
        if c not in CATEGORIES:
            ap.error(f"unknown category '{c}'")

    stats = {c: {"pass": 0, "fail": 0, "strict_pass": 0, "strict_total": 0, "failed": []} for c in cats}
    manifest = read_symlink_manifest(args.restore_symlinks) if args.restore_symlinks else []
    for d in args.dirs:
        d = shown = os.path.abspath(d)
        names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".nix"))
        tmp = tempfile.mkdtemp(prefix="nixpp-lang-")
        staged = None
        try:
            links = flattened_symlinks(d, manifest)
            if links:
                staged = tempfile.mkdtemp(prefix="nixpp-lang-suite-")
                print(f"{d}: {len(links)} symbolic links were regular files holding their target; "
                      f"running on a copy with them restored: " + ", ".join(f"{r} -> {t}" for r, t in links))
                d = restored_copy(d, links, os.path.join(staged, "lang"))
            args.bind_lang = can_bind_mount(tmp)
            if args.bind_lang:
                os.mkdir(os.path.join(tmp, "lang"))
            else:
                os.symlink(d, os.path.join(tmp, "lang"))
            for sub in ("out", "store", "state", "etc"):
                os.mkdir(os.path.join(tmp, sub))
            with open(os.path.join(tmp, "etc", "nix.conf"), "w") as f:
                # show-trace as in Nix's test harness (tests/functional/common/init.sh): tests
                # without flags of their own show their full trace.
                f.write("build-users-group =\nsandbox = false\nshow-trace = true\n")
            for name in names:
                cat = next((c for c in cats if name.startswith(c + "-")), None)
                if cat is None or args.filter not in name:
                    continue
                if cat == "eval-okay" and os.path.exists(os.path.join(d, name + ".exp-disabled")):
                    continue
                ok, strict, detail = run_one(args, tmp, d, cat, name, args.timeout)
                s = stats[cat]
                s["pass" if ok else "fail"] += 1
                if strict is not None:
                    s["strict_total"] += 1
                    s["strict_pass"] += 1 if strict else 0
                if not ok or strict is False:
                    s["failed"].append((os.path.join(shown, name), ok, detail))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if staged:
                subprocess.run(["chmod", "-R", "u+w", staged], capture_output=True)
                shutil.rmtree(staged, ignore_errors=True)

    failed_requirement = False
    required = [c for c in args.require_all.split(",") if c]
    mins = dict(m.split("=", 1) for m in args.min)
    min_exact = dict(m.split("=", 1) for m in args.min_exact)
    total_pass = total_fail = 0
    for c in cats:
        s = stats[c]
        total_pass += s["pass"]
        total_fail += s["fail"]
        line = f"{c}: {s['pass']} passed, {s['fail']} failed"
        if s["strict_total"]:
            line += f" (error text: {s['strict_pass']} of {s['strict_total']} exact)"
        print(line)
        if args.verbose:
            for path, ok, detail in s["failed"]:
                print(f"  FAIL{'' if not ok else ' (error text)'}: {path}.nix")
                for l in detail.strip().splitlines()[:12]:
                    print(f"      {l}")
        if c in required and (s["fail"] or s["strict_pass"] != s["strict_total"]):
            print(f"requirement not met: every {c} test must pass")
            failed_requirement = True
        if c in mins and s["pass"] < int(mins[c]):
            print(f"requirement not met: at least {mins[c]} {c} tests must pass")
            failed_requirement = True
        if c in min_exact and s["strict_pass"] < int(min_exact[c]):
            print(f"requirement not met: at least {min_exact[c]} {c} tests must print exactly the expected error text")
            failed_requirement = True
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if failed_requirement else 0


if __name__ == "__main__":
    sys.exit(main())
