"""hpclsp: an HPC-aware language server for C, C++, CUDA and Fortran."""

__version__ = "0.1.0"
