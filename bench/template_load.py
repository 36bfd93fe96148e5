#!/usr/bin/env python3
"""Times `lambdad validate` on a generated SAM template with many functions.

usage: bench/template_load.py [--lambdad BIN] [--functions 1000] [--rounds 5]

The template has what real ones have, per function: Globals, a Ref to a parameter, a !Sub with
the stack name, a !GetAtt to a queue, an Api event and a generated-role reference; all functions
share one code folder. Prints the median and best wall time of the runs (the figure is printed,
never asserted).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def template(count):
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        "Parameters:",
        "  Stage:",
        "    Type: String",
        "    Default: dev",
        "Globals:",
        "  Function:",
        "    Runtime: python3.12",
        "    Handler: app.handler",
        "    CodeUri: src/",
        "    Timeout: 10",
        "    Environment:",
        "      Variables:",
        "        STAGE: !Ref Stage",
        "Resources:",
        "  Queue:",
        "    Type: AWS::SQS::Queue",
    ]
    for i in range(count):
        lines += [
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      FunctionName: !Sub '${{Stage}}-fn-{i}'",
            "      MemorySize: 256",
            "      Environment:",
            "        Variables:",
            "          QUEUE_ARN: !GetAtt Queue.Arn",
            f"          ROLE: !GetAtt Fn{i}Role.Arn",
            "      Policies:",
            "        - SQSSendMessagePolicy:",
            "            QueueName: !GetAtt Queue.QueueName",
            "      Events:",
            "        Get:",
            "          Type: Api",
            "          Properties:",
            f"            Path: /fn{i}",
            "            Method: get",
        ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lambdad", default=os.environ.get("LAMBDAD_BIN", "build/lambdad"))
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lambdad-template-load-") as folder:
        os.makedirs(os.path.join(folder, "src"))
        with open(os.path.join(folder, "src", "app.py"), "w") as out:
            out.write("def handler(event, context):\n    return {}\n")
        path = os.path.join(folder, "template.yaml")
        with open(path, "w") as out:
            out.write(template(args.functions))
        times = []
        for _ in range(args.rounds):
            start = time.monotonic()
            run = subprocess.run([args.lambdad, "validate", path], capture_output=True, text=True)
            times.append(time.monotonic() - start)
            if run.returncode != 0:
                sys.stderr.write(run.stderr[-2000:])
                return 1
    print(f"lambdad validate, {args.functions} functions: median {statistics.median(times):.3f} s, "
          f"best {min(times):.3f} s over {args.rounds} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
