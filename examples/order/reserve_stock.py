#!/usr/bin/env python3
"""The ReserveStock task of the example, served with `stator run --task-command`.

Reads the task input (JSON) on stdin and prints the result (JSON) on stdout. To fail the task
it prints {"Error": ..., "Cause": ...} and exits non-zero. The inventory is "busy" on the first
attempt (so the state's Retry runs), and any line asking for more than 10 units is out of
stock (so the Catch runs).
"""
import json
import sys

task = json.load(sys.stdin)
if task["attempt"] == 0:
    print(json.dumps({"Error": "Stock.Busy", "Cause": "the inventory service is busy"}))
    sys.exit(1)
for line in task["lines"]:
    if line["qty"] > 10:
        print(json.dumps({"Error": "Stock.OutOfStock",
                          "Cause": f"only 10 units of {line['sku']} left"}))
        sys.exit(1)
print(json.dumps({"reservationId": "res-" + task["orderId"],
                  "units": sum(line["qty"] for line in task["lines"])}))
