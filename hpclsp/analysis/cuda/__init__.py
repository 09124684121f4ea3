"""CUDA kernel analysis: barrier intervals, shared/global memory races and barrier divergence.

The analysis executes each ``__global__`` kernel abstractly for a small, concrete launch (a few
warps per block, two blocks per used grid dimension) and every thread of it: index arithmetic,
guards and loop counters are computed exactly, memory contents are unknown. Each memory access is
recorded with its byte range and the thread's barrier epoch (block, warp and grid barriers
counted separately), so two accesses of different threads race exactly when they overlap in the
same barrier interval. A race is therefore always reported with a witness (two threads, one
element); what cannot be computed (data-dependent indices, barriers under data-dependent
conditions) produces no warning.

``program`` turns the tree into a light AST and gathers file facts, ``values`` holds the abstract
values, ``statements`` and ``interp`` run one thread,
``kernels`` runs a launch and compares the accesses.
"""
