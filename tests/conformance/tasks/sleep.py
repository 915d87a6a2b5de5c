#!/usr/bin/env python3
"""Task command: sleep argv[1] seconds, then echo the input."""
import sys
import time

data = sys.stdin.read()
time.sleep(float(sys.argv[1]))
sys.stdout.write(data)
