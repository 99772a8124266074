"""The peer a user would otherwise reach for: Python's deepdiff over the same snapshot pair.

    python peer_deepdiff.py STAGING.json PROD.json

Resources are keyed by (kind, key) on each side and their attributes compared with DeepDiff. Prints the
seconds taken (reading and parsing included) and the number of differences found.
"""

import json
import sys
import time

from deepdiff import DeepDiff


def load(path):
    with open(path) as f:
        snapshot = json.load(f)
    return {f"{r['kind']} {r['key']}": r.get("attributes", {}) for r in snapshot["resources"]}


def main():
    start = time.perf_counter()
    staging, prod = load(sys.argv[1]), load(sys.argv[2])
    diff = DeepDiff(staging, prod)
    elapsed = time.perf_counter() - start
    changes = sum(len(v) for v in diff.values())
    print(f"{elapsed:.6f} {changes}")


if __name__ == "__main__":
    main()
