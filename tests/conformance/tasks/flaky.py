#!/usr/bin/env python3
"""Task command: fail with error "Flaky" while the input's "retry" ($$.State.RetryCount) is below
argv[1]; then return {"retry": n}."""
import json
import sys

task = json.load(sys.stdin)
if task["retry"] < int(sys.argv[1]):
    print(json.dumps({"Error": "Flaky", "Cause": f"attempt {task['retry']} failed"}))
    sys.exit(1)
print(json.dumps({"retry": task["retry"]}))
