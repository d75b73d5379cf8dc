"""Real networks shipped with incnet, and fast random-network generators.

Real networks (package data, nothing is downloaded): :func:`load` a dataset by name,
:func:`available` lists the names with one-line descriptions, :func:`provenance` returns the
source, licence and measured sizes of a shipped file. ``load(name)`` gives the networkx graph as
published (self-loops kept); ``load(name, as_network=True)`` an
:class:`~incnet.IncentiveNetwork` with self-loops dropped.

Generators: :func:`barabasi_albert_csr`, :func:`barabasi_albert_network`,
:func:`erdos_renyi_csr`, built by numba kernels straight into CSR arrays.
"""

from .generators import barabasi_albert_csr, barabasi_albert_network, erdos_renyi_csr
from .real import (
    available,
    load,
    load_ca_grqc,
    load_ca_hepth,
    load_deezer_europe,
    load_ego_facebook,
    load_email_eu_core,
    load_florentine,
    load_karate,
    load_lastfm_asia,
    load_rds_nyjazz,
    provenance,
)

__all__ = [
    "available",
    "load",
    "provenance",
    "load_ego_facebook",
    "load_email_eu_core",
    "load_ca_grqc",
    "load_ca_hepth",
    "load_lastfm_asia",
    "load_deezer_europe",
    "load_rds_nyjazz",
    "load_karate",
    "load_florentine",
    "barabasi_albert_csr",
    "barabasi_albert_network",
    "erdos_renyi_csr",
]
