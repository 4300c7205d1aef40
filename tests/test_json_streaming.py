"""Issue 14 (memory): a JSON report is written as it is encoded, with the same bytes as before.

``##[`` (the runner's older command marker) is escaped across the pieces' boundaries too.
"""

from __future__ import annotations

import io
import json

from hostile import assert_no_injected_command

from hotfix_lint.report import log_safe_json, log_safe_json_parts, write_log_safe_json


def _whole(data: object) -> str:
    return json.dumps(data, indent=2).replace("##[", "##\\u005b")


def test_pieces_make_the_same_json_whatever_the_boundaries() -> None:
    for shift in range(0, 40, 3):
        data = {
            "pad": "x" * shift,
            "rows": [{"m": f"{'y' * (i % 7)}##[add-mask]{i} ::error::{i}#"} for i in range(9000)],
        }
        parts = list(log_safe_json_parts(data))
        assert len(parts) > 3
        assert "".join(parts) == _whole(data) == log_safe_json(data)
        stream = io.StringIO()
        write_log_safe_json(data, stream)
        assert stream.getvalue() == _whole(data) + "\n"
        assert json.loads(stream.getvalue()) == data
        assert_no_injected_command(stream.getvalue())


def test_small_and_plain_values() -> None:
    for data in ("##[x", [], {"a": None}, 3, "#", {"k": "#" * 70000 + "[" + "##"}):
        assert log_safe_json(data) == _whole(data)
