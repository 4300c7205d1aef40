"""``benchmarks/real_repos.py`` keeps working on a throwaway mirror (the real corpus is never in CI)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml
from scenario import Scenario, build_gitflow

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "real_repos.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_repos", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_scores_a_mirror_without_config_against_its_truth(scenario: Callable[..., Scenario], tmp_path: Path) -> None:
    s = build_gitflow(scenario("demo"))
    push = s.commit("Tweak the readme", {"README.md": "# Example service, tweaked\n"})
    mirror = tmp_path / "mirrors" / "acme+demo" / "repo"
    mirror.parent.mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(s.path), str(mirror)], check=True)
    (mirror / "config").unlink()  # as the corpus mirrors are stored
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    policy = {"production": "main", "integration": "develop", "hotfix_branch": "hotfix/{slug}", "changelog": None}
    truth = {
        "repository": "acme/demo",
        "now": "2025-03-01",
        "policy": policy,
        "eras": [{"since": "2025-01-01"}],
        "landings": [
            {
                "commit": s.marks["hotfix_merge"],
                "branch": "hotfix/fix-login-timeout",
                "expect": {"branch-name": "ok", "hotfix-base": "ok", "merge-commit": "ok", "back-merge": "ok"},
            }
        ],
        "other": [{"commit": push, "class": "direct-push", "expect": {"merge-commit": "violation"}}],
    }
    (corpus / "acme__demo.yaml").write_text(yaml.safe_dump(truth), encoding="utf-8")
    (corpus / "acme__absent.yaml").write_text(yaml.safe_dump({**truth, "repository": "acme/absent"}), encoding="utf-8")
    out = tmp_path / "scores.json"

    assert load_script().main([str(tmp_path / "mirrors"), "--corpus", str(corpus), "--json", str(out)]) == 0

    scores = {score["repository"]: score for score in json.loads(out.read_text(encoding="utf-8"))}
    demo = scores["acme/demo"]
    assert demo["errors"] == []
    assert (demo["truth"], demo["found"], demo["missed"]) == (1, 1, [])
    assert demo["false_errors"] == [] and demo["missed_violations"] == []
    assert demo["right_verdicts"] == 5  # four rules on the landing, merge-commit on the push
    assert push not in [commit for commit, _ in demo["no_hotfix_findings"]]  # expected, so not noise
    assert scores["acme/absent"]["note"] == "skipped: no mirror"
