#!/usr/bin/env python3
"""Task command: fail with {"Error": argv[1], "Cause": argv[2]} on stdout and exit status 1."""
import json
import sys

sys.stdin.read()
print(json.dumps({"Error": sys.argv[1], "Cause": sys.argv[2]}))
sys.exit(1)
