"""OpenMP as hpclsp knows it: the 5.2 spec tables, the directive scanner and parsers, data sharing.

Every analysis that reads OpenMP (the directive rules, the IR's constructs, the race checker, the
advisor, completion, hover) gets its directives and spec facts here, so there is one reading of
a pragma and one copy of the spec. ``spec_tables`` holds the spec as data and ``spec`` answers
questions about it; ``scanner`` finds directives (``parse_directives``) and hands them to
``parser`` and ``clauses``, which build the ``model`` objects; ``datasharing`` decides whether a
variable is shared or private at a point of a region.
"""
