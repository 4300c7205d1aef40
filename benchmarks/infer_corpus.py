"""Compare what ``hotfix-lint init`` infers with the hand-checked policies of the corpus.

    python benchmarks/infer_corpus.py /work/.mirror [--only OWNER/NAME]

For each ``benchmarks/corpus/*.yaml`` whose mirror is present: production, integration,
hotfix pattern, tag pattern and changelog, inferred vs the truth's ``policy:``. A hotfix
pattern is "equal" when the same patterns are written, "same branches" when both accept every
hotfix branch the truth's landings name. Never run by CI (the mirrors are local).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pygit2
import yaml

from hotfix_lint.infer.run import infer_repository
from hotfix_lint.policy.patterns import compile_pattern

CORPUS = Path(__file__).parent / "corpus"
KEYS = ("production", "integration", "hotfix_branch", "tag_pattern", "changelog")


def _names(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return sorted(str(v["branch"]) if isinstance(v, dict) else str(v) for v in items)


def _same_branches(truth: object, ours: object, branches: list[str]) -> bool:
    a = [compile_pattern(p) for p in _names(truth)]
    b = [compile_pattern(p) for p in _names(ours)]
    return bool(branches) and all(any(p.matches(n) for p in a) == any(p.matches(n) for p in b) for n in branches)


def compare(mirrors: Path, truth_file: Path) -> dict[str, str] | None:
    truth = yaml.safe_load(truth_file.read_text(encoding="utf-8"))
    owner, name = truth["repository"].split("/")
    path = mirrors / f"{owner}+{name}" / "repo"
    if not path.is_dir():
        return None
    inference = infer_repository(pygit2.Repository(str(path)))
    policy = truth["policy"]
    out = {}
    for key in KEYS:
        ours = inference.values[key].value if key in inference.values else None
        theirs = policy.get(key)
        if key == "integration" and isinstance(ours, dict):
            ours = ours["branch"]
        equal = _names(ours) == _names(theirs)
        if not equal and key == "hotfix_branch":
            landed = [str(e["branch"]) for e in truth.get("landings", []) if e.get("branch")]
            equal_text = "same branches" if _same_branches(theirs, ours, landed) else "differs"
        else:
            equal_text = "equal" if equal else "differs"
        out[key] = f"{equal_text}: {ours!r} vs {theirs!r}" if equal_text != "equal" else "equal"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mirrors", type=Path)
    parser.add_argument("--only", metavar="OWNER/NAME")
    args = parser.parse_args()
    totals = dict.fromkeys(KEYS, 0)
    seen = 0
    for truth_file in sorted(CORPUS.glob("*.yaml")):
        if args.only and truth_file.stem != args.only.replace("/", "__"):
            continue
        result = compare(args.mirrors, truth_file)
        if result is None:
            continue
        seen += 1
        print(truth_file.stem.replace("__", "/"))
        for key, verdict in result.items():
            totals[key] += verdict == "equal" or verdict.startswith("same branches")
            print(f"  {key:14} {verdict}")
    print("agreement: " + ", ".join(f"{k} {v}/{seen}" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
