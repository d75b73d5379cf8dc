"""Shared behaviour of incnet's result objects (private).

Results are frozen dataclasses, one per family (``PayoffResult``, ``EquilibriumResult``,
``SimulationResult``, ``DesignResult`` ...), with the answer first and the diagnostics after. This
mixin gives all of them

- the same readable ``__repr__``;
- read-only arrays: every array field is stored as a read-only view, so ``res.x[0] = 5`` raises
  instead of silently changing a "frozen" result (copy it first: ``res.x.copy()``); the flag
  survives pickling;
- ``to_dict``: the per-node answer as ``{label: value}`` for results that have one, otherwise
  the public fields as plain Python values;
- ``to_frame``: a tidy :class:`pandas.DataFrame`, one row per node (labelled), per run, or per
  chosen item, with the result's scalar fields (method, deadline, residual ...) as columns.
"""

import dataclasses
import functools
import numbers

import numpy as np

__all__ = ["ResultMixin", "format_value", "read_only", "require_pandas"]

#: A 2-D array field with at most this many columns becomes one frame column per column.
_WIDE_LIMIT = 16


def format_value(value, width=6):
    """Compact text for one field: arrays show shape and leading values, floats 6 digits."""
    if isinstance(value, np.ndarray):
        if value.size <= width:
            body = np.array2string(value, precision=4, separator=", ", threshold=width)
            return body.replace("\n", "")
        flat = value.ravel()[:width]
        lead = ", ".join(f"{v:.4g}" if np.issubdtype(value.dtype, np.floating) else str(v) for v in flat)
        return f"array(shape={value.shape}, [{lead}, ...])"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)) and len(value) > width:
        return f"{type(value).__name__}(len={len(value)}, [{', '.join(map(repr, value[:width]))}, ...])"
    return repr(value)


def read_only(value):
    """A read-only view of an array (the caller's array keeps its own flag); other values as they are."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


def require_pandas(what):
    """Import pandas, or raise an ImportError that says how to install it."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is installed with the test extra
        raise ImportError(
            f"{what} needs pandas; install it with `pip install pandas` (or `pip install incnet[frame]`)"
        ) from None
    return pandas


def _plain(value):
    """A value as plain Python (arrays to lists, numpy scalars to Python numbers)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, ResultMixin):
        return value.to_dict()
    return value


@functools.lru_cache(maxsize=None)
def _field_names(cls):
    """The dataclass fields of a result class (looked up once per class)."""
    return tuple(f.name for f in dataclasses.fields(cls))


def _is_scalar(value):
    return value is None or isinstance(value, (numbers.Number, str, bool, np.generic))


class ResultMixin:
    """``__repr__`` listing the fields in declaration order (answer first), one per line."""

    #: name of the field holding a per-node answer, used by :meth:`to_dict`
    _per_node_field = None
    #: ``(index name, field holding the row labels or None for 0..rows-1, field giving the rows)``
    #: for :meth:`to_frame`; None: per node when there is a per-node field, else one row.
    _frame_index = None

    def __post_init__(self):
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                object.__setattr__(self, name, read_only(value))

    def __setstate__(self, state):
        # Unpickled arrays come back writable: make them read-only again.
        for name, value in state.items():
            object.__setattr__(self, name, read_only(value))

    def __repr__(self):
        lines = [f"{type(self).__name__}("]
        for f in dataclasses.fields(self):
            if not f.repr or f.name.startswith("_"):
                continue
            lines.append(f"    {f.name}={format_value(getattr(self, f.name))},")
        lines.append(")")
        return "\n".join(lines)

    def _public_fields(self):
        return [f.name for f in dataclasses.fields(self) if not f.name.startswith("_")]

    def to_dict(self, nodes=None):
        """The per-node answer as ``{label: value}``, or the fields as plain Python values.

        Parameters
        ----------
        nodes : sequence, optional
            Labels in index order; defaults to the ``nodes`` the result carries. Only for results
            with a per-node answer.

        Returns
        -------
        dict
            For a result with a per-node answer (``PayoffResult.u``, ``EquilibriumResult.x``,
            ``ThresholdResult.active``, ``DesignResult.rewards``): ``{label: value}``. For the
            others (simulations, key players, mechanism checks ...): ``{field: value}`` with arrays
            as lists, ready for JSON.
        """
        if self._per_node_field is None:
            if nodes is not None:
                raise TypeError(f"{type(self).__name__} has no per-node answer to label")
            return {name: _plain(getattr(self, name)) for name in self._public_fields()}
        values = getattr(self, self._per_node_field)
        labels = nodes if nodes is not None else getattr(self, "nodes", None)
        if labels is None or len(labels) == 0:
            labels = range(len(values))
        elif len(labels) != len(values):
            raise ValueError(f"{len(labels)} labels for {len(values)} values; pass one label per node")
        return dict(zip(labels, values.tolist() if isinstance(values, np.ndarray) else values))

    def _frame_layout(self):
        """``(index name, labels)`` of the frame's rows, or ``(None, None)`` for a single row."""
        if self._frame_index is not None:
            name, label_field, rows_field = self._frame_index
            rows = getattr(self, rows_field)
            rows = rows if isinstance(rows, numbers.Integral) else len(rows)
            labels = getattr(self, label_field) if label_field else None
            if labels is None or len(labels) != rows:
                labels = range(rows)
            return name, list(labels)
        if self._per_node_field is not None:
            rows = len(getattr(self, self._per_node_field))
            labels = getattr(self, "nodes", None)
            if labels is None or len(labels) != rows:
                labels = range(rows)
            return "node", list(labels)
        return None, None

    def to_frame(self):
        """The result as a tidy :class:`pandas.DataFrame` (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per node (index ``node``, the node labels), per run (index ``run``) or per
            chosen item, as the result is organised; per-row arrays become columns (a 2-D field
            ``f`` of up to 16 columns becomes ``f_0, f_1, ...``) and the scalar fields (``method``,
            ``residual``, ``deadline`` ...) are repeated on every row, so frames of several results
            can be concatenated and grouped. A result without per-row arrays gives one row.
        """
        pd = require_pandas("to_frame")
        index_name, labels = self._frame_layout()
        columns = {}
        rows = None if labels is None else len(labels)
        for name in self._public_fields():
            value = getattr(self, name)
            if rows is not None and isinstance(value, np.ndarray) and value.ndim and len(value) == rows:
                if value.ndim == 1:
                    columns[name] = value
                elif value.ndim == 2 and value.shape[1] <= _WIDE_LIMIT:
                    for j in range(value.shape[1]):
                        columns[f"{name}_{j}"] = value[:, j]
                continue
            if _is_scalar(value):
                columns[name] = value
            elif rows is None and not isinstance(value, ResultMixin):
                columns[name] = [_plain(value)]
        if rows is None:
            frame = pd.DataFrame({k: (v if isinstance(v, list) else [v]) for k, v in columns.items()})
        else:
            index = pd.Index(labels, name=index_name)
            frame = pd.DataFrame({k: (np.array(v) if isinstance(v, np.ndarray) else v)
                                  for k, v in columns.items()}, index=index)
        return frame
