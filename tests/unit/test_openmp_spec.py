"""OpenMP 5.2 tables: directive names per language, clause sets, kinds, Fortran end pairing."""

from __future__ import annotations

import pytest

from hpclsp.analysis.openmp import spec, spec_tables


def test_directive_names_per_language():
    c = set(spec.directive_names("c"))
    f = set(spec.directive_names("fortran"))
    assert {"parallel for", "for simd", "target teams distribute parallel for simd", "taskloop simd"} <= c
    assert {"parallel do", "do simd", "target teams distribute parallel do simd", "workshare"} <= f
    assert {"end parallel do", "end do", "end critical", "end single", "end workshare"} <= f
    assert "parallel do" not in c and "for" not in f and "workshare" not in c
    assert spec.directive_names("cpp") == spec.directive_names("cuda") == sorted(c)
    for name in (
        "declare reduction",
        "declare target",
        "cancellation point",
        "requires",
        "metadirective",
        "masked taskloop",
        "loop",
        "scope",
        "threadprivate",
        "flush",
        "atomic",
        "section",
        "sections",
    ):
        assert name in c and name in f, name
    assert "end declare target" in c and "begin declare target" in c


def test_combined_clauses_are_union_minus_nowait_under_parallel():
    pf = set(spec.clauses_for("parallel for"))
    assert set(spec.clauses_for("parallel")) - {"nowait"} <= pf
    assert set(spec.clauses_for("for")) - {"nowait"} <= pf
    assert "nowait" not in pf and "nowait" in spec.clauses_for("for")
    assert "nowait" in spec.clauses_for("target parallel for")
    assert "nowait" not in spec.clauses_for("parallel sections")
    assert "nowait" in spec.clauses_for("for simd")
    assert "safelen" in spec.clauses_for("parallel for simd")
    assert "copyprivate" not in spec.clauses_for("parallel")
    assert spec.clauses_for("no such directive") == []


def test_language_specific_clause_names():
    assert "for" in spec.clauses_for("cancel", "c") and "do" not in spec.clauses_for("cancel", "c")
    assert "do" in spec.clauses_for("cancel", "fortran") and "for" not in spec.clauses_for(
        "cancel", "fortran"
    )


def test_fortran_end_directives_and_their_clauses():
    assert spec.clauses_for("end do", "fortran") == ["nowait"]
    assert spec.clauses_for("end single", "fortran") == ["copyprivate", "nowait"]
    assert spec.clauses_for("end parallel do", "fortran") == []
    assert spec.clauses_for("end parallel", "fortran") == []


@pytest.mark.parametrize(
    "name,kind",
    [
        ("parallel", "required"), ("do", "optional"), ("parallel do", "optional"), ("sections", "required"),
        ("single", "required"), ("critical", "required"), ("masked", "required"), ("master", "required"),
        ("task", "required"), ("taskgroup", "required"), ("target", "required"), ("target data", "required"),
        ("teams", "required"), ("workshare", "required"), ("ordered", "required"), ("atomic", "optional"),
        ("simd", "optional"), ("barrier", "none"), ("section", "none"), ("target update", "none"),
        ("parallel sections", "required"), ("target teams distribute parallel do", "optional"),
    ],
)  # fmt: skip
def test_end_kinds(name, kind):
    assert spec.end_kind(name, "fortran") == kind
    assert spec.needs_end(name, fortran=True) == (kind == "required")
    assert not spec.needs_end(name, fortran=False)


def test_clause_info_and_kinds():
    red = spec.clause_info("reduction")
    assert red is not None and red.shape == "mod_list" and not red.unique
    assert (
        spec.clause_info("default").unique and spec.clause_info("default").kinds == spec_tables.DEFAULT_KINDS
    )
    assert spec.clause_info("nowait").args == "none"
    assert spec.clause_info("ordered").args == "optional"
    assert spec.clause_info("bogus") is None
    assert spec_tables.SCHEDULE_KINDS == {"static", "dynamic", "guided", "auto", "runtime"}
    assert {"to", "from", "tofrom", "alloc", "release", "delete"} == spec_tables.MAP_TYPES
    assert {"in", "out", "inout", "mutexinoutset", "inoutset", "depobj"} <= spec_tables.DEPEND_TYPES
    assert spec_tables.PROC_BIND_KINDS == {"primary", "master", "close", "spread"}


def test_data_sharing_classes():
    assert spec.is_data_sharing("private") and spec.is_data_sharing("REDUCTION")
    assert not spec.is_data_sharing("copyin") and not spec.is_data_sharing("map")
    assert spec.sharing_class("in_reduction") == "reduction"
    assert spec.sharing_class("shared") == "shared"
    assert spec.sharing_class("default") is None


def test_reduction_operators_per_language():
    assert "&&" in spec.reduction_operators("c") and ".and." not in spec.reduction_operators("c")
    assert ".neqv." in spec.reduction_operators("fortran") and "iand" in spec.reduction_operators("fortran")
    assert "&&" not in spec.reduction_operators("fortran")


def test_other_spelling_and_leaves():
    assert spec.other_spelling("parallel do", "c") == "parallel for"
    assert spec.other_spelling("target parallel for simd", "fortran") == "target parallel do simd"
    assert spec.other_spelling("parallel", "c") is None
    assert spec.leaves("teams distribute parallel for") == ("teams", "distribute", "parallel", "for")
    assert spec.squashed_names("fortran")["enddo"] == "end do"


def test_every_directive_clause_is_a_known_clause():
    for lang in ("c", "fortran"):
        for name in spec.directive_names(lang):
            info = spec.directive_info(name, lang)
            assert info is not None
            unknown = set(info.clauses) - set(spec.CLAUSES)
            assert not unknown, (name, unknown)
