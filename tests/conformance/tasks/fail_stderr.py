#!/usr/bin/env python3
"""Task command: write argv[1] to stderr and exit with status 2 (no error object)."""
import sys

sys.stdin.read()
sys.stderr.write(sys.argv[1] + "\n")
sys.exit(2)
