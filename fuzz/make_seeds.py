#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets into OUT_DIR/<target>/ from the AWS-recorded
conformance cases (definitions, inputs, and every JSONPath and intrinsic call found in them)
plus a few hand-written seeds.

usage: make_seeds.py OUT_DIR [--cases PATH]
"""

import argparse
import hashlib
import json
import os

PATH_FIELDS = {"InputPath", "OutputPath", "ResultPath", "ItemsPath", "Variable", "SecondsPath",
               "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
               "TimeoutSecondsPath", "HeartbeatSecondsPath", "ToleratedFailureCountPath",
               "ToleratedFailurePercentagePath", "MaxItemsPerBatchPath",
               "MaxInputBytesPerBatchPath"}

HAND = {
    "jsonpath": ["$", "$$", "$.store.book[*].author", "$..price", "$.store.book[?(@.price < 10)]",
                 "$.arr[1:7:2]", "$.arr[-1]", "$['dots.key']", "$.store.*", "$[0,1]",
                 "$.store.book[?(@.isbn)]", "$..book[?(@.price >= 12 && @.category == 'fiction')]",
                 "$$.Execution.Input", "$.deep..deep"],
    "intrinsics": ["States.Format('{} and {}', $.s, $.a)", "States.StringToJson($.json)",
                   "States.JsonToString($.obj)", "States.Array(1, 'a', $.obj, null)",
                   "States.ArrayPartition($.arr, 2)", "States.ArrayContains($.arr, 2)",
                   "States.ArrayRange(1, 9, 2)", "States.ArrayGetItem($.arr, 1)",
                   "States.ArrayLength($.arr)", "States.ArrayUnique($.arr)",
                   "States.Base64Encode($.s)", "States.Base64Decode($.b64)",
                   "States.Hash($.s, 'SHA-256')", "States.JsonMerge($.obj, $.obj2, false)",
                   "States.MathRandom(1, 10, 7)", "States.MathAdd($.a, -1)",
                   "States.StringSplit($.csv, ',')", "States.UUID()",
                   "States.Format('\\{\\}\\'{}', States.ArrayLength(States.Array(1,2)))"],
    "json_parse": ['{"a":[1,2.5,-0,1e5,"\\u00e9\\ud83d\\ude00"],"b":{"c":null,"d":true}}',
                   "[]", "9223372036854775808", "-1.0E-5"],
}


def walk(v, paths, calls):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str):
                if x.startswith("States."):
                    calls.add(x)
                elif x.startswith("$") and (k.endswith(".$") or k in PATH_FIELDS):
                    paths.add(x)
            walk(x, paths, calls)
    elif isinstance(v, list):
        for x in v:
            walk(x, paths, calls)


def write(out_dir, target, items):
    d = os.path.join(out_dir, target)
    os.makedirs(d, exist_ok=True)
    for text in items:
        data = text.encode()
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return len(set(items))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--cases", default=os.path.join(here, "..", "..", "shared", "conformance",
                                                    "cases.json"))
    a = ap.parse_args()

    definitions, inputs, paths, calls = set(), set(), set(), set()
    if os.path.exists(a.cases):
        for case in json.load(open(a.cases))["cases"]:
            d = case.get("definition")
            if isinstance(d, (dict, list)):
                definitions.add(json.dumps(d, separators=(",", ":")))
                walk(d, paths, calls)
            if isinstance(case.get("input"), str):
                inputs.add(case["input"])
    paths.update(HAND["jsonpath"])
    calls.update(HAND["intrinsics"])
    counts = {
        "definition_fuzz": write(a.out_dir, "definition_fuzz", definitions),
        "jsonpath_fuzz": write(a.out_dir, "jsonpath_fuzz", paths),
        "intrinsics_fuzz": write(a.out_dir, "intrinsics_fuzz", calls),
        "json_parse_fuzz": write(a.out_dir, "json_parse_fuzz",
                                 definitions | inputs | set(HAND["json_parse"])),
    }
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
