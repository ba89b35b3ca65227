"""Prints Schemathesis' figures in one line: operations tested, cases generated, failures, errors.
   usage: figures.py <schemathesis output> <seconds>"""

import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()


def first(pattern: str, default: str = "0") -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else default


operations = first(r"Tested:\s*(\d+)", "?")
selected = first(r"Selected:\s*(\d+/\d+)", "?")
cases = first(r"(\d+) generated", "?")
failures = first(r"(\d+) unique failures?")
errors = sum(int(n) for n in re.findall(r"🚫 [^:\n]+: (\d+)", text))
print(
    f"schemathesis: {operations} operations tested ({selected} selected), {cases} cases generated,"
    f" {failures} failures, {errors} errors, in {sys.argv[2]} s"
)
