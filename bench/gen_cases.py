#!/usr/bin/env python3
"""Writes the benchmark cases (definition, input, expected output) into a directory.

Both systems run exactly these files, so the comparison is like for like. Each case is
<dir>/<name>/{definition.json,input.json,expected.json,meta.json}; meta.json holds the number of
executions per run and the state transitions (states entered) one execution makes, so a driver
can check that each system did the work it claims.

usage: gen_cases.py OUT_DIR [--chain-states N] [--chain-runs N] [--loop-iterations N]
                            [--map-items N] [--cli-loop-iterations N] [--cli-map-items N]
                            [--cli-chain-states N]

AWS fails a Standard execution at 25,000 history events, and `stator run` does the same, so the
cases run through the CLIs (choice_loop_cli, inline_map_cli, chain10k_cli) are sized to stay under that cap;
engine_bench lifts the cap for the full-size in-process cases.
"""

import argparse
import json
import os


def pass_chain(states):
    """A chain of Pass states; each one passes its input on unchanged."""
    names = [f"Pass{i}" for i in range(states)]
    sm_states = {}
    for i, name in enumerate(names):
        st = {"Type": "Pass"}
        if i + 1 < states:
            st["Next"] = names[i + 1]
        else:
            st["End"] = True
        sm_states[name] = st
    definition = {
        "Comment": f"{states} Pass states in a chain",
        "StartAt": names[0],
        "States": sm_states,
    }
    inp = {"order": 42, "customer": {"id": "c-1", "tier": "gold"}, "lines": [1, 2, 3]}
    return definition, inp, inp, states


def result_chain(states):
    """A chain of Pass states, each setting $.r to its own Result: the shape whose compile
    (parse + validation + IR of a ~1 MB definition at 10,000 states) dominates a one-shot run."""
    names = [f"State{i}" for i in range(states)]
    sm_states = {}
    for i, name in enumerate(names):
        st = {"Type": "Pass", "Result": {"i": i}, "ResultPath": "$.r"}
        if i + 1 < states:
            st["Next"] = names[i + 1]
        else:
            st["End"] = True
        sm_states[name] = st
    definition = {
        "Comment": f"{states} Pass states in a chain, each with a Result",
        "StartAt": names[0],
        "States": sm_states,
    }
    inp = {"order": 42}
    return definition, inp, dict(inp, r={"i": states - 1}), states


def choice_loop(iterations):
    """A counter loop: Choice tests $.i, a Pass increments it with States.MathAdd."""
    definition = {
        "Comment": f"Choice + States.MathAdd loop, {iterations} iterations",
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.i", "NumericLessThan": iterations, "Next": "Increment"}
                ],
                "Default": "Done",
            },
            "Increment": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    # Check runs iterations + 1 times, Increment iterations times, Done once.
    transitions = 2 * iterations + 2
    return definition, {"i": 0}, {"i": iterations}, transitions


def inline_map(items):
    """An inline Map (MaxConcurrency 0) whose iterator is Pass -> Choice -> Pass.

    Items are small numbers and results short strings, so input and output stay under the
    256 KiB payload limit that AWS (and stator) enforce. Items start at 1: the peer fails
    "Path expression '$' does not point to a value" on an item that is 0.
    """
    half = items // 2
    definition = {
        "Comment": f"Inline Map over {items} items, Pass/Choice iterator",
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 0,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Shape",
                    "States": {
                        "Shape": {
                            "Type": "Pass",
                            "Parameters": {"v.$": "$"},
                            "Next": "Classify",
                        },
                        "Classify": {
                            "Type": "Choice",
                            "Choices": [
                                {"Variable": "$.v", "NumericGreaterThanEquals": half,
                                 "Next": "Big"}
                            ],
                            "Default": "Small",
                        },
                        "Big": {"Type": "Pass", "Result": "big", "End": True},
                        "Small": {"Type": "Pass", "Result": "small", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    inp = {"items": list(range(1, items + 1))}
    expected = ["big" if i >= half else "small" for i in range(1, items + 1)]
    return definition, inp, expected, 1 + 3 * items


def write_case(root, name, definition, inp, expected, transitions, runs, unit, unit_count):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "definition.json"), "w") as f:
        json.dump(definition, f, separators=(",", ":"))
    with open(os.path.join(d, "input.json"), "w") as f:
        json.dump(inp, f, separators=(",", ":"))
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    meta = {
        "name": name,
        "runs": runs,
        "transitions_per_run": transitions,
        "unit": unit,                    # what the case's headline rate counts
        "units_per_run": unit_count,
    }
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--chain-states", type=int, default=1000)
    ap.add_argument("--chain-runs", type=int, default=1000)
    ap.add_argument("--loop-iterations", type=int, default=100000)
    ap.add_argument("--map-items", type=int, default=10000)
    ap.add_argument("--cli-loop-iterations", type=int, default=6000)
    ap.add_argument("--cli-map-items", type=int, default=2500)
    ap.add_argument("--cli-chain-states", type=int, default=10000)
    a = ap.parse_args()

    d, i, e, t = pass_chain(a.chain_states)
    write_case(a.out_dir, "pass_chain", d, i, e, t, a.chain_runs, "transitions", t)
    d, i, e, t = choice_loop(a.loop_iterations)
    write_case(a.out_dir, "choice_loop", d, i, e, t, 1, "transitions", t)
    d, i, e, t = inline_map(a.map_items)
    write_case(a.out_dir, "inline_map", d, i, e, t, 1, "items", a.map_items)
    d, i, e, t = choice_loop(a.cli_loop_iterations)
    write_case(a.out_dir, "choice_loop_cli", d, i, e, t, 1, "transitions", t)
    d, i, e, t = inline_map(a.cli_map_items)
    write_case(a.out_dir, "inline_map_cli", d, i, e, t, 1, "items", a.cli_map_items)
    d, i, e, t = result_chain(a.cli_chain_states)
    write_case(a.out_dir, "chain10k_cli", d, i, e, t, 1, "transitions", t)


if __name__ == "__main__":
    main()
