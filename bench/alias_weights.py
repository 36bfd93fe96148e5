#!/usr/bin/env python3
"""A weighted alias's share, measured through the real binary: versions 1 and 2 of a bash
`provided` function (each answers its number), an alias on version 1 with
AdditionalVersionWeights {"2": W}, N invokes of the alias (default 10,000 at 0.2); prints the
share each version got (X-Amz-Executed-Version, checked against the body) and its distance from W
in standard deviations.

    bench/alias_weights.py [--count 10000] [--weight 0.2] [--bin build/lambdad]"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_to_invoke import ROOT, create_body, serving  # noqa: E402

FUNCTIONS = "/2015-03-31/functions"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--weight", type=float, default=0.2)
    parser.add_argument("--bin", default=os.environ.get("LAMBDAD_BIN", str(ROOT / "build" / "lambdad")))
    args = parser.parse_args()
    with serving(args.bin) as call:
        def ok(expected, method, path, body=None):
            status, _, text = call(method, path, body)
            if status != expected:
                sys.exit(f"{method} {path} answered {status}: {text[:300]!r}")
            return json.loads(text) if text else None

        ok(201, "POST", FUNCTIONS, create_body("weighted", 1, Publish=True))
        code = json.loads(create_body("weighted", 2))["Code"]
        ok(200, "PUT", f"{FUNCTIONS}/weighted/code", json.dumps({**code, "Publish": True}))
        ok(201, "POST", f"{FUNCTIONS}/weighted/aliases", json.dumps(
            {"Name": "live", "FunctionVersion": "1",
             "RoutingConfig": {"AdditionalVersionWeights": {"2": args.weight}}}))
        counts = {"1": 0, "2": 0}
        start = time.perf_counter()
        for _ in range(args.count):
            status, headers, text = call("POST", f"{FUNCTIONS}/weighted/invocations?Qualifier=live",
                                         b"{}")
            version = headers.get("X-Amz-Executed-Version")
            if status != 200 or json.loads(text) != {"n": int(version)}:
                sys.exit(f"invoke answered {status} {version} {text[:200]!r}")
            counts[version] += 1
        seconds = time.perf_counter() - start
    share = counts["2"] / args.count
    sigma = math.sqrt(args.weight * (1 - args.weight) / args.count)
    print(f"alias live = version 1 + {args.weight} to version 2, {args.count} invokes "
          f"in {seconds:.1f} s:")
    print(f"  version 1: {counts['1']}   version 2: {counts['2']} ({share:.2%}; "
          f"target {args.weight:.0%}, off by {abs(share - args.weight):.2%} = "
          f"{abs(share - args.weight) / sigma:.1f} standard deviations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
