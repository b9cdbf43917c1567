#!/usr/bin/env python3
"""make-tree.py DIR [MiB]: builds, deterministically, a benchmark tree of about MiB mebibytes
(default 1024) in DIR (which must not exist): ~30 % in many small files (0-16 KiB, 100 per
directory, two levels deep, some executable, a few symlinks) and ~70 % in three big files.
The same arguments always give the same bytes (a seeded PRNG), so runs compare like with like."""
import os
import random
import sys

def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make-tree.py DIR [MiB]")
    root = sys.argv[1]
    total = (int(sys.argv[2]) if len(sys.argv) == 3 else 1024) << 20
    os.makedirs(root)
    rng = random.Random(20240601)
    small_budget = total * 3 // 10
    written = 0
    n = 0
    while written < small_budget:
        d = os.path.join(root, "small", "d%02d" % (n // 1000), "e%02d" % (n // 100 % 10))
        os.makedirs(d, exist_ok=True)
        size = rng.randrange(0, 16385)
        path = os.path.join(d, "f%05d" % n)
        with open(path, "wb") as f:
            f.write(rng.randbytes(size))
        if n % 17 == 0:
            os.chmod(path, 0o755)
        if n % 500 == 0:
            os.symlink("f%05d" % n, os.path.join(d, "link%05d" % n))
        written += size
        n += 1
    big = (total - written) // 3
    chunk = 8 << 20
    for i in range(3):
        with open(os.path.join(root, "big%d.bin" % i), "wb") as f:
            left = big
            while left:
                k = min(chunk, left)
                f.write(rng.randbytes(k))
                left -= k
    print("%s: %d small files, 3 big files, %.0f MiB" % (root, n, (written + 3 * big) / 2**20))

main()
