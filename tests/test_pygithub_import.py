"""``collect.pygithub``: PyGithub imported without ``jwt`` until something uses it.

In a fresh interpreter each (what is imported is the subject), with the real PyGithub."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_pygithub_starts_without_jwt_and_cryptography() -> None:
    out = run(
        """
        import sys
        from hotfix_lint.collect.pygithub import import_github
        github = import_github()
        github.Github(base_url="http://127.0.0.1:9", auth=github.Auth.Token("t"))
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("jwt", "cryptography")))
        """
    )
    assert out == "['jwt']", "only the stand-in"


def test_jwt_is_the_real_module_once_used_even_through_pygithubs_own_reference() -> None:
    out = run(
        """
        import sys
        from hotfix_lint.collect.pygithub import import_github
        github = import_github()
        token = github.Auth.jwt.encode({"iss": "1"}, "k" * 32, algorithm="HS256")
        import jwt
        decoded = jwt.decode(token, "k" * 32, algorithms=["HS256"])
        print(decoded, "jwt.algorithms" in sys.modules, hasattr(jwt, "__file__"))
        """
    )
    assert out == "{'iss': '1'} True True"


def test_a_jwt_imported_before_is_left_alone() -> None:
    out = run(
        """
        import sys, jwt
        real = sys.modules["jwt"]
        from hotfix_lint.collect.pygithub import import_github
        import_github()
        print(sys.modules["jwt"] is real)
        """
    )
    assert out == "True"
