"""Collectors: the only code that imports pygit2 or PyGithub. They read, never write."""
