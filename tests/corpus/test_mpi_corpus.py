"""The MPI part of the built-in corpus: cards are complete and consistent, snippets compile.

Checks ``index/cards/mpi.json`` (schema, field consistency, coverage of the routines the MPI
checks reference, datatype ``matches`` entries) and every snippet under ``index/snippets/mpi``
(header, compiled with Open MPI's ``mpicc``/``mpif90``; three are run on two processes).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hpclsp import kb

from .conftest import CORPUS, ROOT, load_json

CARDS_FILE = "cards/mpi.json"
SNIPPET_DIR = CORPUS / "snippets" / "mpi"

#: MPI routines the MPI checks (and completion) reference: each must have a routine card.
REFERENCED_ROUTINES = (
    "MPI_Init",
    "MPI_Init_thread",
    "MPI_Finalize",
    "MPI_Initialized",
    "MPI_Finalized",
    "MPI_Abort",
    "MPI_Comm_rank",
    "MPI_Comm_size",
    "MPI_Send",
    "MPI_Recv",
    "MPI_Ssend",
    "MPI_Bsend",
    "MPI_Rsend",
    "MPI_Isend",
    "MPI_Irecv",
    "MPI_Issend",
    "MPI_Ibsend",
    "MPI_Irsend",
    "MPI_Wait",
    "MPI_Waitall",
    "MPI_Waitany",
    "MPI_Waitsome",
    "MPI_Test",
    "MPI_Testall",
    "MPI_Testany",
    "MPI_Testsome",
    "MPI_Request_free",
    "MPI_Cancel",
    "MPI_Send_init",
    "MPI_Recv_init",
    "MPI_Start",
    "MPI_Startall",
    "MPI_Bcast",
    "MPI_Reduce",
    "MPI_Allreduce",
    "MPI_Gather",
    "MPI_Gatherv",
    "MPI_Scatter",
    "MPI_Scatterv",
    "MPI_Allgather",
    "MPI_Allgatherv",
    "MPI_Alltoall",
    "MPI_Alltoallv",
    "MPI_Barrier",
    "MPI_Scan",
    "MPI_Exscan",
    "MPI_Reduce_scatter",
    "MPI_Ibcast",
    "MPI_Ireduce",
    "MPI_Iallreduce",
    "MPI_Ibarrier",
    "MPI_Igather",
    "MPI_Iscatter",
    "MPI_Iallgather",
    "MPI_Ialltoall",
    "MPI_Comm_split",
    "MPI_Comm_split_type",
    "MPI_Comm_dup",
    "MPI_Comm_free",
    "MPI_Comm_create",
    "MPI_Comm_group",
    "MPI_Group_incl",
    "MPI_Group_free",
    "MPI_Cart_create",
    "MPI_Cart_shift",
    "MPI_Cart_coords",
    "MPI_Cart_rank",
    "MPI_Dims_create",
    "MPI_Cart_sub",
    "MPI_Dist_graph_create_adjacent",
    "MPI_Neighbor_alltoall",
    "MPI_Neighbor_allgather",
    "MPI_Type_contiguous",
    "MPI_Type_vector",
    "MPI_Type_create_struct",
    "MPI_Type_create_subarray",
    "MPI_Type_create_resized",
    "MPI_Type_commit",
    "MPI_Type_free",
    "MPI_Type_get_extent",
    "MPI_Type_indexed",
    "MPI_Sendrecv",
    "MPI_Sendrecv_replace",
    "MPI_Probe",
    "MPI_Iprobe",
    "MPI_Mprobe",
    "MPI_Mrecv",
    "MPI_Get_count",
    "MPI_Win_create",
    "MPI_Win_allocate",
    "MPI_Win_free",
    "MPI_Put",
    "MPI_Get",
    "MPI_Accumulate",
    "MPI_Win_fence",
    "MPI_Win_lock",
    "MPI_Win_unlock",
    "MPI_Win_lock_all",
    "MPI_Win_unlock_all",
    "MPI_Win_flush",
    "MPI_Win_post",
    "MPI_Win_start",
    "MPI_Win_complete",
    "MPI_Win_wait",
    "MPI_File_open",
    "MPI_File_close",
    "MPI_File_read",
    "MPI_File_write",
    "MPI_File_read_at",
    "MPI_File_write_at",
    "MPI_File_read_all",
    "MPI_File_write_all",
    "MPI_File_read_at_all",
    "MPI_File_write_at_all",
    "MPI_File_set_view",
    "MPI_File_seek",
    "MPI_File_get_size",
    "MPI_File_iread",
    "MPI_File_iwrite",
    "MPI_Wtime",
    "MPI_Wtick",
    "MPI_Get_processor_name",
    "MPI_Get_version",
    "MPI_Query_thread",
    "MPI_Comm_set_errhandler",
    "MPI_Error_string",
    "MPI_Op_create",
    "MPI_Op_free",
)

#: Predefined constants the checks and completion use: each must have a constant card.
REFERENCED_CONSTANTS = (
    "MPI_COMM_WORLD",
    "MPI_COMM_SELF",
    "MPI_COMM_NULL",
    "MPI_ANY_SOURCE",
    "MPI_ANY_TAG",
    "MPI_STATUS_IGNORE",
    "MPI_STATUSES_IGNORE",
    "MPI_PROC_NULL",
    "MPI_IN_PLACE",
    "MPI_REQUEST_NULL",
    "MPI_THREAD_SINGLE",
    "MPI_THREAD_FUNNELED",
    "MPI_THREAD_SERIALIZED",
    "MPI_THREAD_MULTIPLE",
    "MPI_SUCCESS",
    "MPI_UNDEFINED",
    "MPI_SUM",
    "MPI_PROD",
    "MPI_MAX",
    "MPI_MIN",
    "MPI_MAXLOC",
    "MPI_MINLOC",
    "MPI_LAND",
    "MPI_LOR",
    "MPI_BAND",
    "MPI_BOR",
    "MPI_INFO_NULL",
    "MPI_ERRORS_RETURN",
    "MPI_ERRORS_ARE_FATAL",
)

#: Datatype -> a language type it must match (the MPI buffer/datatype check relies on these).
EXPECTED_MATCHES = {
    "MPI_INT": "int",
    "MPI_DOUBLE": "double",
    "MPI_FLOAT": "float",
    "MPI_CHAR": "char",
    "MPI_LONG": "long",
    "MPI_LONG_LONG": "long long",
    "MPI_UNSIGNED": "unsigned int",
    "MPI_C_BOOL": "_Bool",
    "MPI_C_DOUBLE_COMPLEX": "double _Complex",
    "MPI_DOUBLE_INT": "struct { double; int; }",
    "MPI_INTEGER": "integer",
    "MPI_REAL": "real",
    "MPI_DOUBLE_PRECISION": "double precision",
    "MPI_COMPLEX": "complex",
    "MPI_LOGICAL": "logical",
    "MPI_CHARACTER": "character",
    "MPI_INTEGER8": "integer(8)",
    "MPI_REAL8": "real(8)",
    "MPI_BYTE": "*",
}

#: C signature of a routine card: return type, name, parameter list.
_C_SIG = re.compile(r"^(int|double|MPI_Aint) (MPI_\w+)\((.*)\)$")
_PLACEHOLDER = re.compile(r"\$\{(\d+):[^}]*\}")


@pytest.fixture(scope="module")
def cards() -> list[dict[str, Any]]:
    """The raw MPI card objects, in file order."""
    data = load_json(CARDS_FILE)
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def by_name(cards: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """MPI cards by name (names are unique)."""
    return {c["name"]: c for c in cards}


def _routines(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cards if c["kind"] == "routine"]


def _c_params(sig: str) -> list[str]:
    """Parameter names of a C prototype (``void`` gives none)."""
    m = _C_SIG.match(sig)
    assert m, f"not a C prototype: {sig}"
    plist = m.group(3).strip()
    if plist in ("", "void"):
        return []
    names = []
    for raw in plist.split(","):
        raw = re.sub(r"(\[\d*\])+$", "", raw.strip())
        ident = re.search(r"(\w+)$", raw)
        assert ident, f"cannot read a parameter name in {raw!r} of {sig}"
        names.append(ident.group(1))
    return names


# ---------------------------------------------------------------- cards


def test_cards_validate_against_schema(cards: list[dict[str, Any]], schema: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(cards))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:20])


def test_required_fields_and_identity(cards: list[dict[str, Any]]) -> None:
    required = (
        "id",
        "family",
        "kind",
        "name",
        "summary",
        "signatures",
        "semantics",
        "parameters",
        "pitfalls",
        "related",
        "completion",
    )
    names: set[str] = set()
    for c in cards:
        for field in required:
            assert field in c, f"{c.get('id')}: missing {field}"
        assert c["family"] == "mpi"
        assert c["kind"] in ("routine", "constant", "datatype", "type"), c["id"]
        assert c["id"] == f"mpi/{c['kind']}/{c['name']}"
        assert c["name"].startswith("MPI_"), c["name"]
        assert c["name"] not in names, f"duplicate card name {c['name']}"
        names.add(c["name"])
        assert c["summary"].strip() and "\n" not in c["summary"]
        assert len(c["semantics"]) >= 30


def test_at_least_150_routine_cards(cards: list[dict[str, Any]]) -> None:
    assert len(_routines(cards)) >= 150


def test_every_referenced_routine_has_a_card(by_name: dict[str, dict[str, Any]]) -> None:
    missing = [n for n in REFERENCED_ROUTINES if by_name.get(n, {}).get("kind") != "routine"]
    assert not missing, f"routine cards missing: {missing}"


def test_every_referenced_constant_has_a_card(by_name: dict[str, dict[str, Any]]) -> None:
    missing = [n for n in REFERENCED_CONSTANTS if by_name.get(n, {}).get("kind") != "constant"]
    assert not missing, f"constant cards missing: {missing}"


def test_every_mpi_name_the_mpi_rules_use_has_a_card(cards: list[dict[str, Any]]) -> None:
    """Coverage: each MPI identifier in the MPI rule package resolves through the loader (any case)."""
    rules = sorted((ROOT / "hpclsp" / "analysis" / "rules" / "mpi").glob("*.py"))
    assert rules, "the MPI rule package moved: update this test"
    text = "\n".join(p.read_text(encoding="utf-8") for p in rules)
    used = set(re.findall(r"\bMPI_[A-Za-z0-9_]*[A-Za-z0-9]\b", text))
    assert len(used) >= 20, "the MPI rule module mentions suspiciously few MPI names"
    base = kb.KnowledgeBase(CORPUS, [kb.card_from_dict(c, CARDS_FILE) for c in cards], [])
    missing = sorted(name for name in used if base.card(name, family="mpi") is None)
    assert not missing, f"names used by the MPI checks without a card: {missing}"


def test_related_entries_resolve(by_name: dict[str, dict[str, Any]]) -> None:
    dangling = sorted({(c["name"], r) for c in by_name.values() for r in c["related"] if r not in by_name})
    assert not dangling, dangling[:20]


def test_routine_signatures_parameters_and_completions_agree(cards: list[dict[str, Any]]) -> None:
    for c in _routines(cards):
        sig = c["signatures"]["c"]
        m = _C_SIG.match(sig)
        assert m and m.group(2) == c["name"], f"{c['name']}: C signature names another routine: {sig}"
        params = _c_params(sig)
        assert [p["name"] for p in c["parameters"]] == params, c["name"]
        assert all(p["description"].strip() for p in c["parameters"]), c["name"]
        fortran = c["signatures"]["fortran"]
        assert c["name"] in fortran, c["name"]
        if m.group(1) == "int":
            # Every Fortran subroutine form ends with ierror; argc/argv have no Fortran counterpart.
            assert "ierror)" in fortran.splitlines()[0], c["name"]
            assert "use mpi" in fortran, f"{c['name']}: the mpi-module form is not noted"
        comp_c = c["completion"]["c"]
        assert comp_c.startswith(c["name"] + "("), c["name"]
        numbers = [int(n) for n in _PLACEHOLDER.findall(comp_c)]
        assert numbers == list(range(1, len(params) + 1)), f"{c['name']}: placeholders {numbers}"
        comp_f = c["completion"]["fortran"]
        fnumbers = [int(n) for n in _PLACEHOLDER.findall(comp_f)]
        assert fnumbers == list(range(1, len(fnumbers) + 1)), f"{c['name']}: Fortran placeholders {fnumbers}"
        if m.group(1) == "int":
            assert comp_f.startswith(f"call {c['name']}("), c["name"]


def test_output_arguments_are_passed_by_address_in_c_completions(by_name: dict[str, dict[str, Any]]) -> None:
    assert by_name["MPI_Isend"]["completion"]["c"].endswith("&${7:request})")
    assert by_name["MPI_Comm_rank"]["completion"]["c"] == "MPI_Comm_rank(${1:MPI_COMM_WORLD}, &${2:rank})"
    assert "MPI_STATUS_IGNORE" in by_name["MPI_Recv"]["completion"]["c"]
    assert "&" not in by_name["MPI_Get_processor_name"]["completion"]["c"].split(",")[0]
    assert "MPI_DOUBLE_PRECISION" in by_name["MPI_Allreduce"]["completion"]["fortran"]


def test_nonblocking_routines_return_a_request(cards: list[dict[str, Any]]) -> None:
    names = {c["name"] for c in _routines(cards)}
    for blocking in (
        "MPI_Bcast",
        "MPI_Reduce",
        "MPI_Allreduce",
        "MPI_Gather",
        "MPI_Scatter",
        "MPI_Alltoall",
        "MPI_Allgather",
        "MPI_Barrier",
        "MPI_Scan",
        "MPI_Exscan",
        "MPI_Reduce_scatter",
    ):
        assert "MPI_I" + blocking[4:].lower() in names, blocking
    not_nonblocking = (
        "MPI_Init",
        "MPI_Info",
        "MPI_Intercomm",
        "MPI_Is_thread_main",
        "MPI_Iprobe",
        "MPI_Improbe",
    )
    checked = 0
    for c in _routines(cards):
        name = c["name"]
        if re.match(r"^MPI_(I[a-z]|File_i|Rput|Rget)", name) and not name.startswith(not_nonblocking):
            assert c["signatures"]["c"].endswith("MPI_Request *request)"), name
            checked += 1
    assert checked >= 30


def test_datatype_cards_name_the_types_they_match(cards: list[dict[str, Any]]) -> None:
    datatypes = {c["name"]: c for c in cards if c["kind"] == "datatype"}
    for name, card in datatypes.items():
        matches = [p["description"] for p in card["parameters"] if p["name"] == "matches"]
        assert matches, f"{name}: no 'matches' parameter"
        languages = set(card["signatures"])
        assert languages <= {"c", "fortran"} and languages, name
    for name, wanted in EXPECTED_MATCHES.items():
        assert name in datatypes, f"no datatype card for {name}"
        matches = [p["description"] for p in datatypes[name]["parameters"] if p["name"] == "matches"]
        assert wanted in matches, f"{name} should match {wanted!r}, has {matches}"
    # Fortran datatypes must not claim C spellings and vice versa.
    assert "fortran" not in datatypes["MPI_DOUBLE"]["signatures"]
    assert "c" not in datatypes["MPI_DOUBLE_PRECISION"]["signatures"]


def test_loader_finds_mpi_cards_by_name_alias_and_fortran_case(cards: list[dict[str, Any]]) -> None:
    base = kb.KnowledgeBase(CORPUS, [kb.card_from_dict(c, CARDS_FILE) for c in cards], [])
    isend = base.card("MPI_Isend")
    assert isend is not None and isend.kind == "routine"
    assert base.card("MPI_Isend_c") is isend  # the MPI 4.0 large-count variant
    assert base.card("mpi_allreduce") is base.card("MPI_Allreduce")  # Fortran is case-insensitive
    assert base.card("MPI_NOT_A_ROUTINE") is None
    text = kb.render_markdown(isend, "c")
    assert "MPI_Request *request" in text and "Pitfalls" in text


# ---------------------------------------------------------------- snippets


def _snippets() -> list[Path]:
    return sorted(p for p in SNIPPET_DIR.glob("*") if p.suffix in (".c", ".f90"))


def test_snippet_count_languages_and_headers() -> None:
    files = _snippets()
    assert len(files) >= 50, len(files)
    c_files = [p for p in files if p.suffix == ".c"]
    f_files = [p for p in files if p.suffix == ".f90"]
    assert len(c_files) >= 20 and len(f_files) >= 15
    f08 = [p for p in f_files if re.search(r"^\s*use mpi_f08\b", p.read_text(), re.M | re.I)]
    legacy = [p for p in f_files if re.search(r"^\s*use mpi\s*$", p.read_text(), re.M | re.I)]
    assert f08 and legacy, "Fortran snippets must show both `use mpi_f08` and `use mpi`"
    for p in files:
        title, tags = kb.parse_snippet_header(p.read_text(encoding="utf-8"))
        assert title and 5 <= len(title) <= 120, p.name
        assert tags and all(re.match(r"^[a-z0-9][a-z0-9_+.-]*$", t) for t in tags), (p.name, tags)
        assert "mpi" in tags, p.name
        assert re.match(r"^[A-Za-z0-9_.-]+$", p.name), p.name


def test_snippets_cover_the_required_idioms() -> None:
    tags = set()
    for p in _snippets():
        tags.update(kb.parse_snippet_header(p.read_text(encoding="utf-8"))[1])
    for wanted in (
        "halo",
        "ring",
        "master-worker",
        "bcast",
        "reduce",
        "allreduce",
        "gather",
        "scatter",
        "scatterv",
        "alltoall",
        "overlap",
        "persistent",
        "cartesian",
        "type-vector",
        "type-create-struct",
        "one-sided",
        "fence",
        "lock",
        "mpi-io",
        "comm-split",
        "hybrid",
        "init-thread",
        "wtime",
        "nonblocking",
    ):
        assert wanted in tags, f"no snippet tagged {wanted}"


def _require_open_mpi() -> None:
    """Fail (not skip) when the compilers are missing: ``make test`` installs them."""
    missing = [tool for tool in ("mpicc", "mpif90", "mpirun") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: run scripts/setup.d/10-system.sh (Debian openmpi, gfortran)"
        )


def _compile(path: Path, outdir: str) -> tuple[str, int, str]:
    """Compile one snippet for syntax and semantics (no link); return (name, exit code, diagnostics)."""
    if path.suffix == ".c":
        cmd = ["mpicc", "-std=c11", "-fopenmp", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", str(path)]
    else:
        # gfortran needs to write no object, but module files of a snippet go to a scratch directory.
        cmd = [
            "mpif90",
            "-fopenmp",
            "-Wall",
            "-Werror",
            "-Wno-maybe-uninitialized",
            "-fsyntax-only",
            f"-J{outdir}",
            str(path),
        ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=outdir)
    return path.name, proc.returncode, (proc.stdout + proc.stderr)[-3000:]


def test_every_mpi_snippet_compiles(tmp_path: Path) -> None:
    _require_open_mpi()
    files = _snippets()
    assert files
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: _compile(p, str(tmp_path)), files))
    failures = [f"{name} (exit {rc}):\n{out}" for name, rc, out in results if rc != 0]
    assert not failures, "\n\n".join(failures)


# (snippet, processes, text the program's output must contain)
RUNS = (
    ("ring_pass.c", 3, "token returned to rank 0 with value 3"),
    ("reduce_pi.c", 2, "pi ~ 3.1415926535"),
    ("ring_f08.f90", 2, "token back at rank 0: 2"),
)


@pytest.mark.parametrize(("snippet", "nprocs", "expected"), RUNS, ids=[r[0] for r in RUNS])
def test_snippet_runs_on_several_processes(tmp_path: Path, snippet: str, nprocs: int, expected: str) -> None:
    _require_open_mpi()
    src = SNIPPET_DIR / snippet
    exe = tmp_path / "prog"
    compiler = "mpicc" if src.suffix == ".c" else "mpif90"
    build = subprocess.run(
        [compiler, "-O1", "-o", str(exe), str(src), *(["-lm"] if src.suffix == ".c" else [])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    env = dict(os.environ, OMPI_MCA_btl="self,vader", OMPI_MCA_rmaps_base_oversubscribe="1")
    run = subprocess.run(
        ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(nprocs), str(exe)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert expected in run.stdout, run.stdout + run.stderr
