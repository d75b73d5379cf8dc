"""Sphinx configuration of the incnet documentation.

The site builds offline and with warnings as errors (``make docs``). Engineers add pages by
dropping ``theory/<topic>.rst``, ``tutorials/<topic>.rst`` or ``reference/<topic>.rst`` into the
tree: the section indexes pick them up through glob toctrees.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from incnet import __version__  # noqa: E402

project = "incnet"
author = "The incnet developers"
copyright = "2026, The incnet developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
]
# No intersphinx: the build must not touch the network. The pages must not need it either:
# sphinx-mathjax-offline copies MathJax into _static/mathjax and points mathjax_path there, so
# the formulas render from a local copy (tests/test_docs_build.py checks the built HTML).

templates_path = []
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
pygments_style = "sphinx"

# API reference: one generated page per public name, from the numpydoc docstrings.
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"incnet {release}"
html_static_path = ["_static"]
html_css_files = ["incnet.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_context = {"default_mode": "light"}


# ``.. incnet-cli-help::`` prints the command's --help texts, so the CLI page cannot drift from
# the parser.
def _cli_help_directive():
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class CliHelp(Directive):
        has_content = False

        def run(self):
            import argparse

            from incnet.cli import build_parser

            os.environ["COLUMNS"] = "92"
            parser = build_parser()
            sections = [("incnet", parser)]
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    sections += [(f"incnet {name}", sub) for name, sub in action.choices.items()]
            result = []
            for title, sub in sections:
                section = nodes.section(ids=[nodes.make_id(title)])
                section += nodes.title(text=title)
                text = sub.format_help()
                section += nodes.literal_block(text, text, language="text")
                result.append(section)
            return result

    return CliHelp


class _AllowEmptySection:
    """Let a section index glob no pages yet (theory/ and tutorials/ fill up as topics land)."""

    def filter(self, record):
        return getattr(record, "subtype", None) != "empty_glob"


def setup(app):
    import logging

    app.add_directive("incnet-cli-help", _cli_help_directive())
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_AllowEmptySection())
    return {"parallel_read_safe": True}
