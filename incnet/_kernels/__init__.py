"""numba kernels (private): plain functions over contiguous arrays, no validation, no objects.

Each kernel states its preconditions and what it writes. Nothing here imports from incnet.
"""
