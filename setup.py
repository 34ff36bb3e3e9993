"""Only what pyproject.toml cannot say: the top-level ``resources/`` and ``packaging/linux/``
folders are installed inside the package, as ``vault_app.resources`` and its ``linux`` folder.

pyproject's ``package-dir`` only maps packages that are listed by hand, and a ``find`` directive
cannot be combined with it; discovering the code packages here keeps new subpackages automatic.
Everything else (metadata, dependencies, package data globs) lives in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["vault_app", "vault_app.*"]), "vault_app.resources",
              "vault_app.resources.linux"],
    package_dir={"vault_app.resources": "resources", "vault_app.resources.linux": "packaging/linux"},
)
