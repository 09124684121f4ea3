"""Abstract values shared by the analyses.

- ``consts``: constants, intervals and an expression evaluator over an environment;
- ``affine``: affine forms over atoms (variables, thread id, rank) and the per-variable ``Value``;
- ``dependence``: forward data flow over a function's control-flow graph (``analysis.cfg``) giving
  each expression its affine form and what it depends on (MPI rank/size, OpenMP thread id/team
  size, CUDA built-ins);
- ``summaries``: what a call of a function of the same file gives back (return value, values stored
  through its arguments), read by ``dependence`` at call sites.

Every checker asks this layer the same questions ("is this condition rank-dependent?", "is this
index ``tid + c``?", "is this a constant here?") instead of keeping its own model of expressions.
"""
