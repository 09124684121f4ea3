"""Package list for setuptools: hpclsp and retrieval, plus the built-in corpus (index/) shipped
inside the wheel as ``hpclsp/_corpus`` so ``pip install`` users get it (see hpclsp/paths.py)."""

from setuptools import find_packages, setup

CORPUS_FILES = ["*.json", "*.md", "**/*.json", "**/*.md", "**/*.c", "**/*.cpp", "**/*.cu", "**/*.f90", "**/*.f"]

setup(
    packages=find_packages(include=["hpclsp", "hpclsp.*", "retrieval", "retrieval.*"]) + ["hpclsp._corpus"],
    package_dir={"hpclsp._corpus": "index"},
    package_data={"hpclsp": ["py.typed"], "hpclsp._corpus": CORPUS_FILES},
)
