#!/usr/bin/env python3
"""Prints the names of the functions a traced run entered (entered.c), for lld's --symbol-ordering-file.

Usage: names.py BINARY ENTERED_FILE...   (addresses in hex, as entered.c writes them)
Names come out in the binary's address order, so code that sits together now stays together.
"""
import subprocess
import sys


def main() -> None:
    binary, files = sys.argv[1], sys.argv[2:]
    entered = set()
    for path in files:
        with open(path) as file:
            entered.update(int(line, 16) for line in file if line.strip())
    listing = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True)
    names = []
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTWw" and int(parts[0], 16) in entered:
            names.append((int(parts[0], 16), parts[3]))
    for _, name in sorted(names):
        print(name)


if __name__ == "__main__":
    main()
