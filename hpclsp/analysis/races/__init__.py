"""The OpenMP race analysis: concurrency questions answered from structure (issue 15 layout).

``budget``: the work budget that bounds the analysis of one function. ``tasks``: task-graph
facts (undeferred tasks, mutually exclusive dependences, which tasks a ``taskwait`` waits for).
The rule modules in ``hpclsp.analysis.rules.omp_race`` turn the results into findings.
"""
