"""Measure the house-style numbers of STYLE.md over plugins/: long lines, function and main() lengths, file sizes.

Usage: python tools/style_report.py [paths...]   (default: plugins/modules plugins/module_utils)
"""

import ast
import os
import statistics
import sys

DOC_NAMES = ("DOCUMENTATION", "EXAMPLES", "RETURN")


def code_lines(tree, lines):
    """Line numbers that are code: the file minus the DOCUMENTATION, EXAMPLES and RETURN strings."""
    skipped = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) in DOC_NAMES for t in node.targets):
            skipped.update(range(node.lineno, node.end_lineno + 1))
    return [n for n in range(1, len(lines) + 1) if n not in skipped and lines[n - 1].strip()]


def measure(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    lines = text.splitlines()
    tree = ast.parse(text)
    code = code_lines(tree, lines)
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return {
        "code": len(code),
        "over100": sum(1 for n in code if len(lines[n - 1]) > 100),
        "over120": sum(1 for n in code if len(lines[n - 1]) > 120),
        "file_lines": len(lines),
        "functions": [(f"{path}:{f.name}", f.end_lineno - f.lineno + 1) for f in functions],
    }


def main():
    roots = sys.argv[1:] or ["plugins/modules", "plugins/module_utils"]
    paths = sorted(os.path.join(r, f) for root in roots for r, _d, fs in os.walk(root) for f in fs if f.endswith(".py"))
    results = {path: measure(path) for path in paths}
    code = sum(r["code"] for r in results.values())
    over100 = sum(r["over100"] for r in results.values())
    over120 = sum(r["over120"] for r in results.values())
    functions = [f for r in results.values() for f in r["functions"]]
    sizes = [size for _name, size in functions]
    mains = [size for name, size in functions if name.endswith(":main")]
    print(f"files: {len(paths)}; largest: {max(r['file_lines'] for r in results.values())} lines")
    print(f"code lines: {code}; over 100 columns: {over100} ({100.0 * over100 / max(code, 1):.1f} %); over 120: {over120}")
    print(f"functions: {len(sizes)}; median {statistics.median(sizes)} lines; longest {max(sizes)}")
    if mains:
        print(f"main(): median {statistics.median(mains)} lines; longest {max(mains)}")
    for name, size in sorted(functions, key=lambda item: -item[1])[:5]:
        print(f"  {size:4d}  {name}")


if __name__ == "__main__":
    main()
