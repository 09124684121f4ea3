"""Static HPC completion: cursor context detection, variables in scope, and the item families.

``context`` works on the text around the cursor (directive lines, call arguments, the typed
prefix); ``scope`` finds the variables visible at the cursor (tree-sitter for C/C++/CUDA, a
line scanner for Fortran program units) with their declared types, so clause lists and MPI
datatype arguments can be completed. ``items`` builds LSP items for one request;
``omp_items`` and ``mpi_items`` add the OpenMP directive/clause and the MPI items.
"""
