"""Host-code analyses: the per-rank MPI program evaluator and the checks over its traces."""
