"""Coverage of the built-in corpus: every OpenMP name the directive parser knows has a card; CUDA basics."""

from __future__ import annotations

import pytest

from hpclsp import kb
from hpclsp.analysis.openmp import spec

from .conftest import CORPUS


@pytest.mark.parametrize("language", ["c", "fortran"])
def test_every_directive_has_a_card(corpus: kb.KnowledgeBase, language: str) -> None:
    names = spec.directive_names(language)
    assert len(names) > 50
    missing = [n for n in names if corpus.card(n, "openmp", kind="directive") is None]
    assert not missing, missing


@pytest.mark.parametrize("language", ["c", "fortran"])
def test_every_clause_has_a_card(corpus: kb.KnowledgeBase, language: str) -> None:
    names = spec.clause_names(language)
    assert len(names) > 60
    missing = [n for n in names if corpus.card(n, "openmp", kind="clause") is None]
    assert not missing, missing


@pytest.mark.parametrize("language", ["c", "fortran"])
def test_directive_cards_list_the_clauses_the_parser_allows(corpus: kb.KnowledgeBase, language: str) -> None:
    """The clause list a directive card documents agrees with the parser's table for that directive."""
    wrong = []
    for name in spec.directive_names(language):
        card = corpus.card(name, "openmp", kind="directive")
        if (
            card is None
            or name.startswith("end ")
            or card.name != name.replace(" do", " for").replace("do ", "for ")
        ):
            continue
        documented = next((p.description for p in card.parameters if p.name == "clauses"), "any of: ")
        listed = {c.strip() for c in documented.removeprefix("any of:").split(",") if c.strip()}
        allowed = set(spec.clauses_for(name, language))
        if language == "fortran":
            listed.discard("for")
        if not allowed <= listed | {"do", "for"}:
            wrong.append(f"{name}: undocumented {sorted(allowed - listed)}")
    assert not wrong, "\n".join(wrong)


OMP_ROUTINES = """omp_set_num_threads omp_get_num_threads omp_get_max_threads omp_get_thread_num omp_get_num_procs
omp_in_parallel omp_set_dynamic omp_get_dynamic omp_get_cancellation omp_set_schedule omp_get_schedule
omp_get_thread_limit omp_get_supported_active_levels omp_set_max_active_levels omp_get_max_active_levels
omp_get_level omp_get_ancestor_thread_num omp_get_team_size omp_get_active_level omp_in_final
omp_get_proc_bind omp_get_num_places omp_get_place_num_procs omp_get_place_proc_ids omp_get_place_num
omp_get_partition_num_places omp_get_partition_place_nums omp_set_affinity_format omp_get_affinity_format
omp_display_affinity omp_capture_affinity omp_set_default_device omp_get_default_device omp_get_num_devices
omp_get_device_num omp_get_num_teams omp_get_team_num omp_is_initial_device omp_get_initial_device
omp_get_max_task_priority omp_pause_resource omp_pause_resource_all omp_set_num_teams omp_get_max_teams
omp_set_teams_thread_limit omp_get_teams_thread_limit omp_init_lock omp_init_nest_lock omp_init_lock_with_hint
omp_init_nest_lock_with_hint omp_destroy_lock omp_destroy_nest_lock omp_set_lock omp_set_nest_lock
omp_unset_lock omp_unset_nest_lock omp_test_lock omp_test_nest_lock omp_get_wtime omp_get_wtick
omp_fulfill_event omp_target_alloc omp_target_free omp_target_is_present omp_target_is_accessible
omp_target_memcpy omp_target_memcpy_rect omp_target_memcpy_async omp_target_memcpy_rect_async
omp_target_associate_ptr omp_target_disassociate_ptr omp_get_mapped_ptr omp_init_allocator
omp_destroy_allocator omp_set_default_allocator omp_get_default_allocator omp_alloc omp_aligned_alloc
omp_calloc omp_aligned_calloc omp_realloc omp_free omp_control_tool omp_display_env
omp_get_num_interop_properties omp_get_interop_int omp_get_interop_ptr omp_get_interop_str
omp_get_interop_name omp_get_interop_type_desc omp_get_interop_rc_desc""".split()

OMP_ENV = """OMP_SCHEDULE OMP_NUM_THREADS OMP_DYNAMIC OMP_PROC_BIND OMP_PLACES OMP_STACKSIZE OMP_WAIT_POLICY
OMP_MAX_ACTIVE_LEVELS OMP_NESTED OMP_THREAD_LIMIT OMP_CANCELLATION OMP_DISPLAY_ENV OMP_DISPLAY_AFFINITY
OMP_AFFINITY_FORMAT OMP_DEFAULT_DEVICE OMP_MAX_TASK_PRIORITY OMP_TARGET_OFFLOAD OMP_TOOL OMP_TOOL_LIBRARIES
OMP_TOOL_VERBOSE_INIT OMP_DEBUG OMP_ALLOCATOR OMP_NUM_TEAMS OMP_TEAMS_THREAD_LIMIT""".split()


def test_every_openmp_runtime_routine_has_a_card(corpus: kb.KnowledgeBase) -> None:
    missing = [n for n in OMP_ROUTINES if corpus.card(n, "openmp", kind="routine") is None]
    assert not missing, missing
    no_fortran = [n for n in OMP_ROUTINES if "fortran" not in corpus.card(n, "openmp", "routine").signatures]
    assert not no_fortran, no_fortran


def test_every_openmp_environment_variable_has_a_card(corpus: kb.KnowledgeBase) -> None:
    missing = [n for n in OMP_ENV if corpus.card(n, "openmp", kind="env") is None]
    assert not missing, missing


CUDA_REQUIRED = """cudaMalloc cudaFree cudaMemcpy cudaMemcpyAsync cudaMemset cudaMallocManaged cudaMallocHost
cudaHostAlloc cudaFreeHost cudaMemPrefetchAsync cudaMemcpy2D cudaStreamCreate cudaStreamDestroy
cudaStreamSynchronize cudaEventCreate cudaEventRecord cudaEventSynchronize cudaEventElapsedTime
cudaGetDeviceCount cudaSetDevice cudaGetDeviceProperties cudaGetLastError cudaPeekAtLastError
cudaGetErrorString cudaError_t cudaDeviceSynchronize threadIdx blockIdx blockDim gridDim warpSize
__global__ __device__ __host__ __shared__ __constant__ __managed__ __restrict__ __launch_bounds__
__syncthreads __syncthreads_count __syncthreads_and __syncthreads_or __syncwarp __shfl_sync __shfl_up_sync
__shfl_down_sync __shfl_xor_sync __ballot_sync __any_sync __all_sync __activemask atomicAdd atomicCAS
atomicExch atomicMin atomicMax atomicInc atomicDec atomicAnd atomicOr atomicXor atomicSub dim3""".split()


def test_cuda_has_the_required_cards(corpus: kb.KnowledgeBase) -> None:
    cards = corpus.by_family("cuda")
    assert len(cards) >= 120
    missing = [n for n in CUDA_REQUIRED if corpus.card(n, "cuda") is None]
    assert not missing, missing
    assert corpus.by_family("cuda", "launch"), "the <<<...>>> launch syntax needs a card"
    assert any(c.name.startswith("cooperative_groups") or "cooperative" in c.id for c in cards)


def test_snippet_counts() -> None:
    snippets = [kb.snippet_from_file(CORPUS, rel) for rel in kb.discover_snippets(CORPUS)]
    omp = [s for s in snippets if s.family == "openmp"]
    cuda = [s for s in snippets if s.family == "cuda"]
    assert len(omp) >= 60, len(omp)
    assert sum(s.language == "fortran" for s in omp) >= 15
    assert len(cuda) >= 40, len(cuda)
