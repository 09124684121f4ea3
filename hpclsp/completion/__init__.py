"""Static HPC completion helpers: cursor context detection and variables in scope.

``context`` works on the text around the cursor (directive lines, call arguments, the typed
prefix); ``scope`` finds the variables visible at the cursor (tree-sitter for C/C++/CUDA, a
line scanner for Fortran program units) with their declared types, so clause lists and MPI
datatype arguments can be completed.
"""
