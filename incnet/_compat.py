"""Deprecated spellings of arguments, kept for one release (private)."""

import functools
import warnings

__all__ = ["MISSING", "keyword_only", "renamed"]


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


def keyword_only(*old_positional, leading=1):
    """Make arguments keyword-only, still accepting them positionally (old order) for one release.

    ``leading`` arguments (``net``, or ``self, net``) stay positional; further positional values
    are mapped onto ``old_positional`` in order, with a DeprecationWarning that spells the keyword
    call. Used where a positional order differed between functions (``delta`` came first in some
    and last in others): a swapped pair of floats would be silently wrong, a keyword never is.
    """

    def decorate(func):
        where = func.__qualname__.removesuffix(".__init__")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if len(args) <= leading:
                return func(*args, **kwargs)
            extra = args[leading:]
            if len(extra) > len(old_positional):
                raise TypeError(f"{where}() takes {leading} positional argument(s) and the keyword "
                                f"arguments {', '.join(old_positional)}; got {len(args)} positional")
            names = old_positional[:len(extra)]
            for name in names:
                if name in kwargs:
                    raise TypeError(f"{where}() got {name}= both by position and by keyword")
            kwargs.update(zip(names, extra))
            spelled = ", ".join(f"{name}=..." for name in names)
            warnings.warn(f"{where}(): passing {', '.join(names)} by position is deprecated and stops "
                          f"working in the next release; write {where}(net, {spelled})",
                          DeprecationWarning, stacklevel=2)
            return func(*args[:leading], **kwargs)

        return wrapper

    return decorate
