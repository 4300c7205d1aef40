"""A loopback GitHub for tests: a real HTTP server answering REST requests from a state.

with serve_github() as gh:
    gh.state.add_repo("octo/app")
    Github(base_url=gh.url).get_repo("octo/app")
"""

from .server import GitHubServer, serve_github
from .state import GitHubState, RecordedRequest

__all__ = ["GitHubServer", "GitHubState", "RecordedRequest", "serve_github"]
