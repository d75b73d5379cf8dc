"""Deprecated spellings of arguments, kept for one release (private)."""

import warnings

__all__ = ["MISSING", "renamed"]


class _Missing:
    """Default of a deprecated keyword: tells "not given" apart from every real value."""

    def __repr__(self):
        return "<missing>"


MISSING = _Missing()


def renamed(old_value, old_name, new_value, new_name, where, *, new_default=None):
    """The value of a renamed argument; a DeprecationWarning when the old name was used.

    Raises TypeError when both names were given (with different values than the default).
    """
    if old_value is MISSING:
        return new_value
    given = new_value is not new_default
    if given and isinstance(new_value, (int, float)) and isinstance(new_default, (int, float)):
        given = new_value != new_default  # e.g. rng=0 passed explicitly equals the default
    if given:
        raise TypeError(f"{where}() got both {new_name}= and its old name {old_name}=; pass {new_name}= only")
    warnings.warn(f"{where}(): {old_name}= is deprecated and will be removed in the next release; "
                  f"use {new_name}=", DeprecationWarning, stacklevel=3)
    return old_value
