#!/usr/bin/env python3
"""The layers under src/ depend on each other only as their CMakeLists.txt say.

Each src/<layer>/CMakeLists.txt declares `stator_layer(<layer> stator_<dep> ...)`. A file of a
layer may include headers of its own layer and of every layer reachable through those
declarations; anything else (an include of a layer above it, or beside it but not declared) is
a layering violation. The declarations themselves must form no cycle.

usage: layering_test.py [--src DIR]
"""

import argparse
import os
import re
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
LAYER_DECL = re.compile(r"stator_layer\(\s*(\w+)([^)]*)\)")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/', re.M)


def declared_layers(src):
    """{layer: set of the layers it lists}"""
    layers = {}
    for name in sorted(os.listdir(src)):
        cmake = os.path.join(src, name, "CMakeLists.txt")
        if not os.path.isfile(cmake):
            continue
        with open(cmake, encoding="utf-8") as f:
            m = LAYER_DECL.search(f.read())
        if m is None:
            continue
        deps = set(re.findall(r"\bstator_(\w+)", m.group(2)))
        layers[m.group(1)] = deps
    return layers


def reachable(layers, start):
    seen, todo = set(), [start]
    while todo:
        for dep in layers.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def violations(src):
    layers = declared_layers(src)
    found = []
    for layer, deps in sorted(layers.items()):
        for dep in deps:
            if dep not in layers:
                found.append(f"src/{layer}/CMakeLists.txt lists stator_{dep}, which is no layer")
        if layer in reachable(layers, layer):
            found.append(f"src/{layer}: its declared dependencies lead back to it (a cycle)")
        allowed = reachable(layers, layer) | {layer}
        for dirpath, _, files in os.walk(os.path.join(src, layer)):
            for fname in sorted(files):
                if not fname.endswith((".h", ".cc", ".cc.in")):
                    continue
                path = os.path.join(dirpath, fname)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    if inc in layers and inc not in allowed:
                        rel = os.path.relpath(path, os.path.dirname(src))
                        found.append(f"{rel} includes {inc}/, which {layer}/ does not depend on")
    return layers, found


class LayeringTest(unittest.TestCase):
    src = SRC

    def test_includes_follow_declared_layers(self):
        layers, found = violations(self.src)
        self.assertGreaterEqual(len(layers), 10, f"found only layers {sorted(layers)}")
        self.assertEqual(found, [], "\n" + "\n".join(found))

    def test_checker_sees_a_violation(self):
        # The checker itself can fail: an include of a layer above is caught.
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            for layer, deps in (("low", ""), ("high", "stator_low")):
                os.makedirs(os.path.join(d, layer))
                with open(os.path.join(d, layer, "CMakeLists.txt"), "w") as f:
                    f.write(f"stator_layer({layer} {deps})\n")
            with open(os.path.join(d, "low", "a.cc"), "w") as f:
                f.write('#include "high/b.h"\n')
            with open(os.path.join(d, "high", "b.h"), "w") as f:
                f.write('#include "low/a.h"\n')
            _, found = violations(d)
        self.assertEqual(len(found), 1, found)
        self.assertIn("low/a.cc includes high/", found[0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", default=SRC)
    args, rest = parser.parse_known_args()
    LayeringTest.src = args.src
    unittest.main(argv=[sys.argv[0]] + rest)
