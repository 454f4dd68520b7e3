#!/usr/bin/env python3
"""Fails when a source file includes a folder its layer may not use.

The README's "Layout" table, as data: each folder lists the project folders
it may include, and which third-party families (CAF, Boost) it may use.
Run from anywhere: `tools/check_layers.py [repository root]`.
"""
import pathlib
import re
import sys

BASE = ["util", "config", "metrics", "messages", "protocol", "llm", "browser",
        "store", "cli", "web"]

# folder -> project folders it may include (its own is always allowed)
ALLOWED = {
    "util": [],
    "config": ["util"],
    "metrics": ["util"],
    "messages": ["util", "metrics"],
    "protocol": ["util", "config", "metrics", "messages", "web"],
    "llm": ["util", "config", "metrics", "messages", "protocol"],
    "browser": ["util", "config", "messages"],
    "store": ["util", "config", "messages"],
    "cli": ["util", "messages", "protocol"],
    "web": [],
    "actors": BASE,
    "streams": BASE + ["actors"],
    "http": BASE,
    "app": BASE + ["actors", "streams", "http"],
}

# Wire types may name CAF's handles and atoms, nothing that runs actors.
CAF_TYPE_HEADERS = re.compile(
    r"caf/(actor|atom|error|none|fwd|meta/[a-z_]+)\.hpp")


def third_party_allowed(folder, header):
    if header.startswith("caf/"):
        if folder in ("actors", "streams", "app"):
            return True
        return folder == "messages" and CAF_TYPE_HEADERS.fullmatch(header)
    if header.startswith("boost/"):
        return folder in ("http", "app")
    return True


INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def violations(root):
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).glob("*.[ch]pp")):
            for kind, header in INCLUDE.findall(path.read_text()):
                where = f"{path.relative_to(root)}: #include {header}"
                if kind == "<":
                    if not third_party_allowed(folder, header):
                        yield f"{where} (third-party, not for {folder}/)"
                    continue
                target = header.split("/", 1)[0]
                if target != folder and target not in allowed:
                    yield f"{where} ({folder}/ may include {allowed or 'no other folder'})"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1
                        else pathlib.Path(__file__).resolve().parents[1])
    missing = [f for f in ALLOWED if not (root / f).is_dir()]
    unknown = sorted(p.name for p in root.iterdir()
                     if p.is_dir() and any(p.glob("*.[ch]pp"))
                     and p.name not in ALLOWED)
    found = list(violations(root))
    for line in found:
        print(line)
    for name in missing:
        print(f"{name}/: listed here but not in the tree")
    for name in unknown:
        print(f"{name}/: holds C++ sources but has no row here")
    checked = sum(1 for f in ALLOWED for _ in (root / f).glob("*.[ch]pp"))
    bad = len(found) + len(missing) + len(unknown)
    print(f"layers: {checked} files checked, {bad} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
