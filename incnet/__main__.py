"""``python -m incnet``: the same as the ``incnet`` command (see :mod:`incnet.cli`)."""

from .cli import main

__all__ = []

if __name__ == "__main__":
    raise SystemExit(main())
