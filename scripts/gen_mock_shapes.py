#!/usr/bin/env python3
"""Generates src/engine/test_state_shapes.inc: the output shapes of the AWS APIs whose mocked
results TestState validates (mock.fieldValidationMode STRICT / PRESENT), from botocore's service
models.

usage: scripts/gen_mock_shapes.py [--check]     (--check: fail when the checked-in file differs)

The table is compact JSON inside a C++ raw string literal:
  {"services": {"<name>": {"<Operation>": <shape index>, ...}, ...},
   "aliases": {"<name used in a Resource ARN>": "<name>", ...},
   "shapes": [<shape>, ...]}
where a shape is one of
  ["o", {"<member>": <index>, ...}, ["<required member>", ...]]   structure
  ["l", <member index>, min, max]                                 list
  ["m", <value index>]                                            map
  ["s", min, max, [enum...]]                                      string (enum optional)
  ["n", min, max]                                                 integer, long, float, double
  ["b"]                                                           boolean
  ["B", min, max]                                                 blob
  ["t"]                                                           timestamp
  ["d"]                                                           document (anything)
(min/max null when the model sets none). Member names are PascalCase, as the integrations write
them (the model's name with its first letter upper-cased). A service is found by its endpoint prefix (what the
optimized integrations name: "events", "states") and by its SDK service id in lower case without
spaces (what "arn:aws:states:::aws-sdk:<service>:<action>" names: "eventbridge", "sfn").
"""

import gzip
import json
import os
import sys

# The services whose results are validated: Step Functions' optimized integrations that take a
# request-response call, and the common aws-sdk ones. Others are not validated (see
# docs/api.md, TestState).
SERVICES = [
    "lambda", "dynamodb", "events", "sqs", "sns", "kms", "s3", "stepfunctions",
    "secretsmanager", "ssm", "sts", "ecs", "batch", "glue", "athena", "bedrock-runtime",
    "codebuild", "eks", "emr-serverless", "apigateway", "scheduler", "cloudwatch", "logs",
]

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "engine",
                   "test_state_shapes.inc")


def pascal(name):
    """A member's name as Step Functions' integrations write it: the first letter upper-cased
    (Step Functions' own model says startDate, its startExecution integration StartDate)."""
    return name[:1].upper() + name[1:]


def load_model(data_dir, service):
    sdir = os.path.join(data_dir, service)
    version = sorted(os.listdir(sdir))[-1]
    base = os.path.join(sdir, version, "service-2.json")
    if os.path.exists(base):
        with open(base) as f:
            return json.load(f)
    with gzip.open(base + ".gz") as f:
        return json.load(f)


def generate():
    import botocore  # noqa: PLC0415

    data_dir = os.path.join(os.path.dirname(botocore.__file__), "data")
    shapes = []
    services = {}
    aliases = {}
    for service in SERVICES:
        model = load_model(data_dir, service)
        meta = model["metadata"]
        table = model["shapes"]
        index = {}

        def emit(name):
            if name in index:
                return index[name]
            s = table[name]
            i = len(shapes)
            index[name] = i
            shapes.append(None)
            t = s["type"]
            if t == "structure":
                if s.get("document"):
                    shapes[i] = ["d"]
                else:
                    members = {pascal(m): emit(v["shape"])
                               for m, v in s.get("members", {}).items()}
                    shapes[i] = ["o", members, [pascal(m) for m in s.get("required", [])]]
            elif t == "list":
                shapes[i] = ["l", emit(s["member"]["shape"]), s.get("min"), s.get("max")]
            elif t == "map":
                shapes[i] = ["m", emit(s["value"]["shape"])]
            elif t == "string":
                shapes[i] = ["s", s.get("min"), s.get("max")] + ([s["enum"]] if "enum" in s else [])
            elif t in ("integer", "long", "float", "double"):
                shapes[i] = ["n", s.get("min"), s.get("max")]
            elif t == "boolean":
                shapes[i] = ["b"]
            elif t == "blob":
                shapes[i] = ["B", s.get("min"), s.get("max")]
            elif t == "timestamp":
                shapes[i] = ["t"]
            else:
                shapes[i] = ["d"]
            return i

        ops = {}
        for op_name, op in sorted(model["operations"].items()):
            if "output" in op:
                ops[op_name] = emit(op["output"]["shape"])
        services[service] = ops
        for alias in {meta.get("endpointPrefix", ""),
                      meta.get("serviceId", "").lower().replace(" ", "").replace("-", "")}:
            if alias and alias != service:
                aliases[alias] = service
    text = json.dumps({"services": services, "aliases": dict(sorted(aliases.items())),
                       "shapes": shapes}, separators=(",", ":"))
    # A raw string literal has a length limit on some compilers: split it into pieces.
    pieces = [text[i:i + 60000] for i in range(0, len(text), 60000)]
    lines = ["// Generated by scripts/gen_mock_shapes.py from botocore's service models; do not edit.",
             "// The output shapes TestState validates mocked results against (test_state_shapes.cc).",
             "// clang-format off"]
    lines += ['R"SHAPES(' + p + ')SHAPES"' for p in pieces]
    lines.append("// clang-format on")
    return "\n".join(lines) + "\n"


def main():
    text = generate()
    if "--check" in sys.argv:
        with open(OUT) as f:
            if f.read() != text:
                sys.exit(f"{OUT} is out of date: run scripts/gen_mock_shapes.py")
        return
    with open(OUT, "w") as f:
        f.write(text)
    print(f"{OUT}: {len(text)} bytes")


if __name__ == "__main__":
    main()
