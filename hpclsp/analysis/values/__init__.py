"""Abstract values shared by the analyses: constants and intervals (``consts``), affine forms (``affine``).

Every checker asks this layer the same questions ("is this expression a constant here?", "is this
condition decided by the rank?") instead of keeping its own model of expressions.
"""
