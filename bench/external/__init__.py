"""Score hpclsp on public benchmark suites written by other people (``python -m bench.external``).

Suites live outside the repository in ``../shared/benchmarks/<suite>``: DataRaceBench, MPI-CorrBench,
GPUVerify's CUDA test suite, DRACC and AutoParBench's NPB reference. Every case is copied under a
neutral name with its label-bearing comments (and, for AutoParBench, the expert pragmas) blanked
before the analysis sees it (``neutral``); labels are read from the original files (``suites``);
the analysis runs in-process in worker processes with a CPU limit per file (``runner``); ``score``
and ``metrics`` turn the outcomes into per-language and per-category figures.
"""
