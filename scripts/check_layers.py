#!/usr/bin/env python3
"""Fails when a module includes a header of a module it does not depend on (one above it).

Usage: check_layers.py LAYERS_TXT SOURCE_DIR

LAYERS_TXT is written by CMakeLists.txt at configure time, one module a line, bottom first:
`worker: common sandbox runtime_api http store`. A module may include its own headers and those
of every module it reaches through these links. Checked: src/<module>/, include/lambdad/<module>/
and the unit tests of tests/unit/<module>/.
"""

import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]lambdad/([a-z_0-9]+)/')


def read_layers(path):
    layers = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if not line.strip():
            continue
        name, _, uses = line.partition(":")
        layers[name.strip()] = uses.split()
    return layers


def reachable(layers):
    closure = {}
    for name, uses in layers.items():  # bottom first: every dependency is already closed
        below = set()
        for dep in uses:
            below |= {dep} | closure[dep]
        closure[name] = below
    return closure


def main():
    layers_file, source = sys.argv[1], pathlib.Path(sys.argv[2])
    layers = read_layers(layers_file)
    closure = reachable(layers)
    problems = []
    for module in layers:
        for folder in (source / "src" / module, source / "include" / "lambdad" / module,
                       source / "tests" / "unit" / module):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.suffix not in (".cpp", ".hpp", ".h"):
                    continue
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    used = match.group(1)
                    if used == module or used in closure[module]:
                        continue
                    where = path.relative_to(source)
                    if used in layers:
                        why = f"{used} is not below {module}"
                    else:
                        why = f"{used} is not a module"
                    problems.append(f"{where}:{number}: includes lambdad/{used}/: {why}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} include(s) against the module layers "
              f"(CMakeLists.txt's lambdad_module lines)")
        return 1
    print(f"{len(layers)} modules, no upward include")
    return 0


if __name__ == "__main__":
    sys.exit(main())
