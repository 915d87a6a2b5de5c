#!/usr/bin/env python3
"""Task command: exit 0 but print text that is not JSON."""
print("this is not JSON")
