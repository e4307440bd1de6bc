"""Errors that end a command with exit status 2 (unusable input) and one line of text."""


class UsageError(Exception):
    """Unusable input: the message is printed as one line, no traceback."""
