#!/usr/bin/env bash
# format.sh — apply .clang-format to every C file of the tree (--check: only report, fail if unformatted).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build/')
if [ "${1:-}" = --check ]; then
	clang-format --dry-run -Werror "${files[@]}"
	echo "format: ${#files[@]} files formatted as .clang-format says"
else
	clang-format -i "${files[@]}"
	echo "format: formatted ${#files[@]} files"
fi
