"""Shared behaviour of incnet's result objects (private).

Results are frozen dataclasses, one per family (``PayoffResult``, ``EquilibriumResult``,
``SimulationResult``, ``DesignResult`` ...), with the answer first and the diagnostics after. This
mixin gives all of them the same readable ``__repr__`` and a ``to_dict`` that maps a per-node
answer back to node labels.
"""

import dataclasses

import numpy as np

__all__ = ["ResultMixin", "format_value"]


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


class ResultMixin:
    """``__repr__`` listing the fields in declaration order (answer first), one per line."""

    #: name of the field holding a per-node answer, used by :meth:`to_dict`
    _per_node_field = None

    def __repr__(self):
        lines = [f"{type(self).__name__}("]
        for f in dataclasses.fields(self):
            if not f.repr or f.name.startswith("_"):
                continue
            lines.append(f"    {f.name}={format_value(getattr(self, f.name))},")
        lines.append(")")
        return "\n".join(lines)

    def to_dict(self, nodes=None):
        """The per-node answer as ``{label: value}``.

        Parameters
        ----------
        nodes : sequence, optional
            Labels in index order; defaults to the ``nodes`` the result carries.
        """
        if self._per_node_field is None:
            raise TypeError(f"{type(self).__name__} has no per-node answer")
        values = getattr(self, self._per_node_field)
        labels = nodes if nodes is not None else getattr(self, "nodes", None)
        if labels is None:
            labels = range(len(values))
        elif len(labels) != len(values):
            raise ValueError(f"{len(labels)} labels for {len(values)} values; pass one label per node")
        return dict(zip(labels, values.tolist() if isinstance(values, np.ndarray) else values))
