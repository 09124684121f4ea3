"""OpenMP 5.2 tables: directive names per language, clause sets, kinds, Fortran end pairing."""

from __future__ import annotations

import pytest

from hpclsp.analysis import omp_spec


def test_directive_names_per_language():
    c = set(omp_spec.directive_names("c"))
    f = set(omp_spec.directive_names("fortran"))
    assert {"parallel for", "for simd", "target teams distribute parallel for simd", "taskloop simd"} <= c
    assert {"parallel do", "do simd", "target teams distribute parallel do simd", "workshare"} <= f
    assert {"end parallel do", "end do", "end critical", "end single", "end workshare"} <= f
    assert "parallel do" not in c and "for" not in f and "workshare" not in c
    assert omp_spec.directive_names("cpp") == omp_spec.directive_names("cuda") == sorted(c)
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
    pf = set(omp_spec.clauses_for("parallel for"))
    assert set(omp_spec.clauses_for("parallel")) - {"nowait"} <= pf
    assert set(omp_spec.clauses_for("for")) - {"nowait"} <= pf
    assert "nowait" not in pf and "nowait" in omp_spec.clauses_for("for")
    assert "nowait" in omp_spec.clauses_for("target parallel for")
    assert "nowait" not in omp_spec.clauses_for("parallel sections")
    assert "nowait" in omp_spec.clauses_for("for simd")
    assert "safelen" in omp_spec.clauses_for("parallel for simd")
    assert "copyprivate" not in omp_spec.clauses_for("parallel")
    assert omp_spec.clauses_for("no such directive") == []


def test_language_specific_clause_names():
    assert "for" in omp_spec.clauses_for("cancel", "c") and "do" not in omp_spec.clauses_for("cancel", "c")
    assert "do" in omp_spec.clauses_for("cancel", "fortran") and "for" not in omp_spec.clauses_for(
        "cancel", "fortran"
    )


def test_fortran_end_directives_and_their_clauses():
    assert omp_spec.clauses_for("end do", "fortran") == ["nowait"]
    assert omp_spec.clauses_for("end single", "fortran") == ["copyprivate", "nowait"]
    assert omp_spec.clauses_for("end parallel do", "fortran") == []
    assert omp_spec.clauses_for("end parallel", "fortran") == []


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
    assert omp_spec.end_kind(name, "fortran") == kind
    assert omp_spec.needs_end(name, fortran=True) == (kind == "required")
    assert not omp_spec.needs_end(name, fortran=False)


def test_clause_info_and_kinds():
    red = omp_spec.clause_info("reduction")
    assert red is not None and red.shape == "mod_list" and not red.unique
    assert (
        omp_spec.clause_info("default").unique
        and omp_spec.clause_info("default").kinds == omp_spec.DEFAULT_KINDS
    )
    assert omp_spec.clause_info("nowait").args == "none"
    assert omp_spec.clause_info("ordered").args == "optional"
    assert omp_spec.clause_info("bogus") is None
    assert omp_spec.SCHEDULE_KINDS == {"static", "dynamic", "guided", "auto", "runtime"}
    assert {"to", "from", "tofrom", "alloc", "release", "delete"} == omp_spec.MAP_TYPES
    assert {"in", "out", "inout", "mutexinoutset", "inoutset", "depobj"} <= omp_spec.DEPEND_TYPES
    assert omp_spec.PROC_BIND_KINDS == {"primary", "master", "close", "spread"}


def test_data_sharing_classes():
    assert omp_spec.is_data_sharing("private") and omp_spec.is_data_sharing("REDUCTION")
    assert not omp_spec.is_data_sharing("copyin") and not omp_spec.is_data_sharing("map")
    assert omp_spec.sharing_class("in_reduction") == "reduction"
    assert omp_spec.sharing_class("shared") == "shared"
    assert omp_spec.sharing_class("default") is None


def test_reduction_operators_per_language():
    assert "&&" in omp_spec.reduction_operators("c") and ".and." not in omp_spec.reduction_operators("c")
    assert ".neqv." in omp_spec.reduction_operators("fortran") and "iand" in omp_spec.reduction_operators(
        "fortran"
    )
    assert "&&" not in omp_spec.reduction_operators("fortran")


def test_other_spelling_and_leaves():
    assert omp_spec.other_spelling("parallel do", "c") == "parallel for"
    assert omp_spec.other_spelling("target parallel for simd", "fortran") == "target parallel do simd"
    assert omp_spec.other_spelling("parallel", "c") is None
    assert omp_spec.leaves("teams distribute parallel for") == ("teams", "distribute", "parallel", "for")
    assert omp_spec.squashed_names("fortran")["enddo"] == "end do"


def test_every_directive_clause_is_a_known_clause():
    for lang in ("c", "fortran"):
        for name in omp_spec.directive_names(lang):
            info = omp_spec.directive_info(name, lang)
            assert info is not None
            unknown = set(info.clauses) - set(omp_spec.CLAUSES)
            assert not unknown, (name, unknown)
