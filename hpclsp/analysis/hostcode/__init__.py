"""Host-code analyses: the file model the MPI/CUDA rules read (``model``, ``view``, ``mpi_tables``),
the per-rank MPI program evaluator and the checks over its traces."""
