#!/usr/bin/env python3
"""A seeded differential test of JSONata's text functions against the reference.

Generates expressions over $formatNumber, $formatInteger, $parseInteger, $formatBase,
$fromMillis, $toMillis (with and without pictures), $substring, $pad, $split, $replace and
$match with regexes (fixed ones and random patterns from a small grammar), runs them through
`stator jsonata --batch` and through jsonata-js 2.0.6 on Node, and compares the answers: results
exactly, errors by code (by message where the reference throws a bare JS exception, as for an
invalid regex). Cases the reference cannot answer (it loops forever on an exponent picture for
a value <= 0) are not generated.

Needs node and the reference (npm jsonata 2.0.6): NODE_PATH must reach it, e.g.
NODE_PATH=/work/main/bench/node_modules. Not part of ctest (the build machines have no node).

usage: text_differential.py [--seed N] [--count N] [-v]
   $STATOR: the stator binary (default: build/stator)
"""

import argparse
import json
import os
import random
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

REFERENCE = r"""
const jsonata = require('jsonata');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(l => l);
const clean = v => JSON.parse(JSON.stringify(v, (k, x) => typeof x === 'function' ? '' : x));
(async () => {
  for (const l of lines) {
    const req = JSON.parse(l);
    try {
      const r = await jsonata(req.expr).evaluate(req.input);
      console.log(JSON.stringify(r === undefined ? {undefined: true} : {result: clean(r)}));
    } catch (e) {
      console.log(JSON.stringify({code: e.code || 'JS', message: e.message}));
    }
  }
})();
"""


def q(s):
    return json.dumps(s, ensure_ascii=False)


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def number(self):
        r = self.r
        kind = r.randrange(6)
        if kind == 0:
            return r.randint(-1000, 1000)
        if kind == 1:
            return round(r.uniform(-1e6, 1e6), r.randint(0, 6))
        if kind == 2:
            return r.choice([0.5, 1.5, 2.5, -2.5, 0.125, 99.995, 1e-7, 1e21, 123456789.987])
        if kind == 3:
            return round(r.uniform(0, 1), r.randint(1, 8))
        if kind == 4:
            return r.randint(0, 10**r.randint(1, 15))
        return round(r.uniform(-100, 100), 2)

    def number_picture(self):
        r = self.r
        integer = "".join(r.choice(["#", "#", "0", "0", ","]) for _ in range(r.randint(1, 7)))
        integer = integer.strip(",") or "0"
        while ",," in integer:
            integer = integer.replace(",,", ",")
        if "#" in integer and "0" in integer:  # optional digits before mandatory ones
            integer = "#" * integer.count("#") + "0" * integer.count("0")
        frac = ""
        if r.random() < 0.6:
            frac = "." + "0" * r.randint(0, 3) + "#" * r.randint(0, 3)
        exp = "e" + "0" * r.randint(1, 2) if r.random() < 0.2 else ""
        prefix = r.choice(["", "", "$", "€ ", "("])
        suffix = r.choice(["", "", "%", "‰", " units", ")"])
        if exp and suffix in ("%", "‰"):
            suffix = ""
        sub = prefix + integer + frac + exp + suffix
        if r.random() < 0.15:
            sub += ";" + "(" + integer + frac + ")"
        return sub, bool(exp)

    def format_number(self):
        v = self.number()
        pic, exp = self.number_picture()
        if exp and v <= 0:
            v = abs(v) + 1  # the reference never returns for these
        if self.r.random() < 0.1:
            opts = {"decimal-separator": ",", "grouping-separator": "."}
            pic = pic.replace(".", "\0").replace(",", ".").replace("\0", ",")
            return "$formatNumber(%s, %s, %s)" % (json.dumps(v), q(pic), json.dumps(opts))
        return "$formatNumber(%s, %s)" % (json.dumps(v), q(pic))

    def integer_picture(self):
        r = self.r
        p = r.choice(["0", "00", "000", "#,##0", "#,###,##0", "0000", "w", "W", "Ww", "i", "I",
                      "a", "A", "#0", "00-00", "0'000", "٠٠", "#;o", "0;o", "w;o", "Ww;o"])
        if p == "#;o":
            p = "0;o"
        return p

    def format_integer(self):
        v = self.r.randint(-5000, 5000) if self.r.random() < 0.7 else self.r.randint(0, 10**9)
        pic = self.integer_picture()
        if pic in ("i", "I"):
            v = self.r.randint(0, 5000)
        return "$formatInteger(%d, %s)" % (v, q(pic))

    def parse_integer(self):
        v = self.r.randint(0, 5000)
        pic = self.integer_picture()
        return "$parseInteger($formatInteger(%d, %s), %s)" % (v, q(pic), q(pic))

    def format_base(self):
        v = self.number()
        radix = self.r.choice([2, 8, 10, 16, 36, 7, 1, 37])
        return "$formatBase(%s, %d)" % (json.dumps(v), radix)

    def date_picture(self, full=False):
        r = self.r
        parts = []
        date = r.choice(["[Y0001]-[M01]-[D01]", "[D1o] [MNn] [Y]", "[FNn], [D] [MNn,3-3] [Y]",
                         "[M]/[D]/[Y,2]", "[Y]-[d001]", "[Dwo] of [MNn], [Y]",
                         "[D01].[M01].[Y0001]", "[YI]-[Mi]-[Da]"])
        parts.append(date)
        if r.random() < 0.7 or full:
            parts.append(r.choice([" [H01]:[m01]:[s01]", "T[H]:[m]", " [h]:[m01] [P]",
                                   " [h#1][PN]", " [H01]:[m01]:[s01].[f001]"]))
        if r.random() < 0.4:
            parts.append(r.choice([" [Z]", " [z]", "[Z01:01t]", " [Z0]", " [Z0000]"]))
        if r.random() < 0.2 and not full:
            parts.append(r.choice([" W[W]", " [X]-[x]-[w]", " [E] [C]"]))
        return "".join(parts)

    def millis(self):
        return self.r.randint(-2208988800000, 4102444800000)

    def timezone(self):
        return self.r.choice(["+0000", "+0100", "-0500", "+0530", "-0930", "+1245"])

    def from_millis(self):
        m = self.millis()
        kind = self.r.randrange(3)
        if kind == 0:
            return "$fromMillis(%d)" % m
        if kind == 1:
            return "$fromMillis(%d, %s)" % (m, q(self.date_picture()))
        return "$fromMillis(%d, %s, %s)" % (m, q(self.date_picture()), q(self.timezone()))

    def to_millis(self):
        m = self.millis()
        pic = self.r.choice(["[Y0001]-[M01]-[D01]", "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]",
                             "[D1o] [MNn] [Y] [h]:[m01] [P]", "[Y]-[d001] [H]:[m]",
                             "[D01].[M01].[Y0001] [H01]:[m01]:[s01].[f001] [Z]",
                             "[FNn], [D] [MNn] [Y]", "[Dwo] of [MNn], [Y]", "[YI]-[M]-[D]",
                             "[M]/[D]/[Y0001] [z]"])
        if self.r.random() < 0.3:
            return "$toMillis($fromMillis(%d))" % m
        return "$toMillis($fromMillis(%d, %s, %s), %s)" % (m, q(pic), q(self.timezone()), q(pic))

    def strings(self):
        r = self.r
        s = r.choice(["Hello, World!", "héllo wörld", "a😀b😀c", "  spaced   out  ", "x,y,,z",
                      "The quick brown fox", "2024-05-06", "ΣΑΣ ǅ straße"])
        kind = r.randrange(8)
        if kind == 0:
            return "$substring(%s, %d, %d)" % (q(s), r.randint(-8, 8), r.randint(-2, 8))
        if kind == 1:
            return "$pad(%s, %d, %s)" % (q(s), r.randint(-20, 20), q(r.choice(["", "*", "ab", "é"])))
        if kind == 2:
            return "$split(%s, %s, %d)" % (q(s), q(r.choice([",", " ", "o", "😀"])), r.randint(0, 4))
        regex = r.choice([r"/o/", r"/[aeiou]+/i", r"/(\w)(\w)?/", r"/(?<=o)\w/", r"/\b\w/",
                          r"/(\d+)-(\d+)/", r"/\s+/", r"/[^\x00-\x7f]/", r"/(.)\1/"])
        if kind == 3:
            return "$match(%s, %s)" % (q(s), regex)
        if kind == 4:
            return "$replace(%s, %s, %s)" % (q(s), regex, q(r.choice(["[$0]", "$1$2", "$$", "-", "$10"])))
        if kind == 5:
            return "$replace(%s, %s, function($m){$uppercase($m.match)}, %d)" % (
                q(s), regex, r.randint(1, 3))
        if kind == 6:
            return "$split(%s, %s)" % (q(s), regex)
        return "[$uppercase(%s), $lowercase(%s), $length(%s), $trim(%s)]" % (q(s), q(s), q(s), q(s))

    ATOMS = ["a", "b", "c", ".", "\\d", "\\w", "\\s", "\\W", "[abc]", "[^ab]", "[a-c\\d]",
             "x", "\\.", "\\b", "\\B", "^", "$", "é", "[\\s\\S]", "\\u0061", "\\x62", "\\n"]

    def pattern(self, depth=0):
        r = self.r
        k = r.randrange(10 if depth < 3 else 4)
        if k < 4:
            p = r.choice(self.ATOMS)
        elif k == 4:
            p = "(" + self.pattern(depth + 1) + ")"
        elif k == 5:
            p = "(?:" + self.pattern(depth + 1) + "|" + self.pattern(depth + 1) + ")"
        elif k == 6:
            p = r.choice(["(?=", "(?!", "(?<=", "(?<!"]) + self.pattern(depth + 1) + ")"
        elif k == 7:
            p = self.pattern(depth + 1) + self.pattern(depth + 1)
        elif k == 8:
            p = "(" + self.pattern(depth + 1) + ")" + r.choice(["\\1", "\\1?", ""])
        else:
            p = "".join(self.pattern(depth + 1) for _ in range(3))
        if r.random() < 0.35 and not p.startswith(("^", "$", "\\b", "\\B", "(?")):
            if len(p) > 2 and not p.startswith("["):
                p = "(?:%s)" % p
            p += r.choice(["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?", "??", "{2,}?"])
        return p

    def regex(self):
        r = self.r
        subject = "".join(r.choice("abcx .é\n1Ab") for _ in range(r.randint(0, 14)))
        regex = "/%s/%s" % (self.pattern(), r.choice(["", "", "i", "m", "im"]))
        fn = r.choice(["$match(%s, %s)", "$replace(%s, %s, \"<$0>\")", "$split(%s, %s)",
                       "$contains(%s, %s)"])
        return fn % (q(subject), regex)

    def expr(self):
        fams = [self.format_number, self.format_number, self.format_integer, self.parse_integer,
                self.format_base, self.from_millis, self.from_millis, self.to_millis,
                self.strings, self.strings, self.regex, self.regex]
        return self.r.choice(fams)()


def run_stator(exprs):
    binary = os.environ.get("STATOR") or os.path.join(ROOT, "build", "stator")
    lines = "".join(json.dumps({"expr": e}) + "\n" for e in exprs)
    out = subprocess.run([binary, "jsonata", "--batch"], input=lines.encode(),
                         capture_output=True, timeout=600).stdout
    return [json.loads(l) for l in out.decode("utf-8", "replace").splitlines()]


def run_reference(exprs):
    lines = "".join(json.dumps({"expr": e}) + "\n" for e in exprs)
    out = subprocess.run(["node", "-e", REFERENCE], input=lines.encode(), capture_output=True,
                         timeout=600, env=dict(os.environ, TZ="UTC")).stdout
    return [json.loads(l) for l in out.decode().splitlines()]


def same(ref, mine):
    if "result" in ref:
        return "result" in mine and json.dumps(ref["result"]) == json.dumps(mine["result"])
    if "undefined" in ref:
        return "undefined" in mine
    if ref.get("code") == "JS":  # the reference's own exception (no code): its message
        return ref.get("message") == mine.get("message")
    return ref.get("code") == mine.get("code")


def differences(seed, count):
    gen = Generator(seed)
    exprs = [gen.expr() for _ in range(count)]
    ref = run_reference(exprs)
    mine = run_stator(exprs)
    if len(ref) != len(exprs) or len(mine) != len(exprs):
        return exprs, [("(runner)", {"count": len(ref)}, {"count": len(mine)})]
    return exprs, [(e, r, m) for e, r, m in zip(exprs, ref, mine) if not same(r, m)]


class TextDifferential(unittest.TestCase):
    seed = 17
    count = 2000

    def test_no_differences(self):
        exprs, diffs = differences(self.seed, self.count)
        msg = ["%d of %d expressions differ (seed %d):" % (len(diffs), len(exprs), self.seed)]
        for e, r, m in diffs[:20]:
            msg.append("  %s\n    reference %s\n    stator    %s" % (e, json.dumps(r)[:200],
                                                                json.dumps(m)[:200]))
        self.assertEqual(diffs, [], "\n".join(msg))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("-v", action="store_true")
    args, rest = parser.parse_known_args()
    TextDifferential.seed = args.seed
    TextDifferential.count = args.count
    unittest.main(argv=[sys.argv[0]] + rest + (["-v"] if args.v else []))
