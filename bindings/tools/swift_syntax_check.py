"""Parses Swift files with tree-sitter-swift and reports syntax errors.

Used by bindings/test.sh where no Swift compiler exists: it catches syntax mistakes in
the hand-written Swift tests, nothing more (no type checking, nothing is run).
"""

import sys

import tree_sitter_swift
from tree_sitter import Language, Parser


def errors(path):
    source = open(path, "rb").read()
    tree = Parser(Language(tree_sitter_swift.language())).parse(source)
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            line, column = node.start_point
            found.append(f"{path}:{line + 1}:{column + 1}: syntax error near {node.text[:60]!r}")
        stack.extend(node.children)
    return sorted(found)


def main(paths):
    problems = [e for path in paths for e in errors(path)]
    for problem in problems[:10]:
        print(problem)
    status = "syntax OK" if not problems else f"{len(problems)} syntax errors"
    print(f"swift test sources: {status} (tree-sitter-swift parse only: not compiled, not run)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
