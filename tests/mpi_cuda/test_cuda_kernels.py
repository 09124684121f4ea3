"""The CUDA kernel execution behind cuda-race-*, cuda-barrier-divergence and cuda-warp-synchronous."""

from __future__ import annotations

import time

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

CODES = ("cuda-race", "cuda-barrier-divergence", "cuda-warp-synchronous")


def _findings(text: str) -> list:
    res = engine.analyze(SourceFile("k.cu", "cuda", text), Options(budget=30.0))
    assert not res.errors, res.errors
    return [f for f in res.findings if f.code.startswith(CODES)]


def _lines(text: str) -> set[tuple[int, str]]:
    return {(f.span.start.line + 1, f.code) for f in _findings(text)}


TREE = """
__global__ void tree_sum(const float *in, float *out)
{
    __shared__ float s[256];
    int t = threadIdx.x;
    s[t] = in[blockIdx.x * blockDim.x + t];
    SYNC0
    for (int stride = 1; stride < blockDim.x; stride *= 2) {
        if (t % (2 * stride) == 0)
            s[t] += s[t + stride];
        SYNC1
    }
    if (t == 0)
        out[blockIdx.x] = s[0];
}
"""


def test_tree_reduction_without_barrier_warns_with_both_accesses():
    fs = _findings(TREE.replace("SYNC0", "").replace("SYNC1", ""))
    assert [(f.span.start.line + 1, f.code) for f in fs] == [(10, "cuda-race-shared")]
    f = fs[0]
    assert f.related, "the conflicting access is named"
    lines = {a["line"] for a in f.data["accesses"]} | {r.span.start.line + 1 for r in f.related}
    cols = {(a["line"], a["character"]) for a in f.data["accesses"]}
    assert len(cols) == 2 and lines <= {6, 10}
    assert "thread (" in f.message


def test_tree_reduction_with_barriers_is_silent():
    assert _findings(TREE.replace("SYNC0", "__syncthreads();").replace("SYNC1", "__syncthreads();")) == []


def test_missing_barrier_inside_loop_only():
    # the first barrier is there, the one in the loop is not: iterations overlap
    text = TREE.replace("SYNC0", "__syncthreads();").replace("SYNC1", "")
    assert (10, "cuda-race-shared") in _lines(text)


def test_uniform_conditions_around_barriers_are_fine():
    text = """
__global__ void k(float *a, int n, int flag)
{
    __shared__ float s[64];
    int t = threadIdx.x, g = blockIdx.x * blockDim.x + t;
    if (n > 16) {
        s[t] = a[g];
        __syncthreads();
        a[g] = s[63 - t];
    }
    for (int i = 0; i < n; i++) {
        if (flag)
            __syncthreads();
    }
    if (blockDim.x >= 64 && gridDim.x > 0)
        __syncthreads();
}
"""
    assert _findings(text) == []


def test_thread_dependent_barrier_diverges_and_names_the_condition():
    text = """
__global__ void k(float *a)
{
    __shared__ float s[64];
    int t = threadIdx.x;
    int half = t / 32;
    if (half == 0) {
        s[t] = a[t];
        __syncthreads();
    }
    a[t] = s[t];
}
"""
    fs = _findings(text)
    assert [(f.span.start.line + 1, f.code) for f in fs] == [(9, "cuda-barrier-divergence")]
    assert fs[0].related and fs[0].related[0].span.start.line + 1 == 7


def test_grid_sync_needs_every_block_block_sync_does_not():
    text = """
using namespace cooperative_groups;
__global__ void k(int *A)
{
    GROUP
    int idx = blockDim.x * blockIdx.x + threadIdx.x;
    if (blockIdx.x % 2 == 0) {
        int v = A[idx];
        synchronize(g);
        A[idx] = v + 1;
    }
}
"""
    grid = text.replace("GROUP", "grid_group g = this_grid();")
    block = text.replace("GROUP", "thread_block g = this_thread_block();")
    assert _lines(grid) == {(9, "cuda-barrier-divergence")}
    assert _lines(block) == set()


def test_data_dependent_scatter_is_not_guessed_but_histogram_increment_is_reported():
    scatter = """
__global__ void k(const int *idx, float *out, const float *in)
{
    __shared__ float s[64];
    int t = threadIdx.x;
    s[idx[t] % 64] = in[t];
    __syncthreads();
    out[t] = s[t];
}
"""
    assert _findings(scatter) == []
    histo = scatter.replace("s[idx[t] % 64] = in[t];", "s[idx[t]] += 1.0f;")
    fs = _findings(histo)
    assert [(f.span.start.line + 1, f.code) for f in fs] == [(6, "cuda-race-shared")]
    assert fs[0].data["confidence"] == "medium"


def test_atomics_guards_and_same_value_writes_do_not_race():
    text = """
__global__ void k(int *count, float *out, const float *in, int n)
{
    __shared__ int total;
    __shared__ float first;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (threadIdx.x == 0) {
        total = 0;
        first = in[blockIdx.x];
    }
    __syncthreads();
    if (i < n && in[i] > 0.0f)
        atomicAdd(&total, 1);
    __syncthreads();
    if (threadIdx.x == 0)
        atomicAdd(count, total);
    out[i] = first;
    count[n] = 7;
}
"""
    assert _findings(text) == []


def test_transpose_without_barrier_races_in_two_dimensions():
    text = """
#define T 8
__global__ void transpose(const float *in, float *out, int w)
{
    __shared__ float tile[T][T];
    int x = blockIdx.x * T + threadIdx.x, y = blockIdx.y * T + threadIdx.y;
    tile[threadIdx.y][threadIdx.x] = in[y * w + x];
    out[x * w + y] = tile[threadIdx.x][threadIdx.y];
}
"""
    assert _lines(text) == {(8, "cuda-race-shared")}


def test_warp_synchronous_is_a_hint_and_volatile_is_accepted():
    text = """
__global__ void k(float *out)
{
    __shared__ QUAL float s[64];
    int t = threadIdx.x;
    s[t] = out[t];
    __syncthreads();
    if (t < 32) {
        s[t] += s[t + 32];
        s[t] += s[t + 16];
    }
    __syncthreads();
    out[t] = s[t];
}
"""
    fs = _findings(text.replace("QUAL", ""))
    assert {f.code for f in fs} == {"cuda-warp-synchronous"}
    assert all(f.severity.label == "hint" for f in fs)
    assert _findings(text.replace("QUAL", "volatile")) == []


def test_device_function_calls_and_pointer_arithmetic_are_followed():
    text = """
__device__ void shift(int *A, int offset)
{
    int v = A[threadIdx.x + offset];
    A[threadIdx.x] = v;
}
__global__ void k(int *A)
{
    int *B = A + 4;
    shift(B, 1);
}
"""
    fs = _findings(text)
    assert {(f.span.start.line + 1, f.code) for f in fs} == {(5, "cuda-race-global")}


def test_undecidable_kernels_are_silent_and_bounded():
    text = """
__global__ void k(float *a, const int *flags, int n)
{
    __shared__ float s[64];
    int t = threadIdx.x;
    while (flags[0]) {
        s[t] = a[t];
        __syncthreads();
        a[t + 1] = s[t];
    }
    for (long i = 0; i < 100000000; i++)
        for (long j = 0; j < 100000000; j++)
            a[(i * j) % 64] += s[t];
}
"""
    start = time.perf_counter()
    assert _findings(text) == []
    assert time.perf_counter() - start < 3.0


def test_every_thread_storing_what_all_read_after_a_barrier_is_benign():
    text = """
__global__ void block_max(const float *in, float *out)
{
    __shared__ float s[64];
    int t = threadIdx.x;
    s[t] = in[blockIdx.x * 64 + t];
    __syncthreads();
    for (int k = 32; k > 0; k >>= 1) {
        if (t < k)
            s[t] = fmaxf(s[t], s[t + k]);
        __syncthreads();
    }
    out[blockIdx.x] = s[0];
}
"""
    assert _findings(text) == []
    # the same store before the last barrier: s[0] may still change while others read it
    racy = text.replace(
        "        __syncthreads();\n    }\n    out[blockIdx.x] = s[0];", "    }\n    out[blockIdx.x] = s[0];"
    )
    assert any(f.code.startswith("cuda-race") for f in _findings(racy))


CG_REDUCE = """
#include <cooperative_groups.h>
namespace cg = cooperative_groups;
__device__ float reduce_sum(cg::thread_group g, float *temp, float val)
{
    int lane = g.thread_rank();
    for (int i = g.size() / 2; i > 0; i /= 2) {
        temp[lane] = val;
        g.sync();
        if (lane < i)
            val += temp[lane + i];
        SECOND_SYNC
    }
    return val;
}
__global__ void sum_kernel(float *sum, float *input, int n)
{
    extern __shared__ float temp[];
    float my_sum = 0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        my_sum += input[i];
    auto g = cg::this_thread_block();
    float block_sum = reduce_sum(g, temp, my_sum);
    if (g.thread_rank() == 0)
        atomicAdd(sum, block_sum);
}
"""


def test_cooperative_groups_rank_size_and_sync():
    assert _findings(CG_REDUCE.replace("SECOND_SYNC", "g.sync();")) == []
    assert (11, "cuda-race-shared") in _lines(CG_REDUCE.replace("SECOND_SYNC", ""))


LAUNCHED = """
#define N 32
__global__ void bump(float *a)
{
    a[threadIdx.x] += 1.0f;
}
int main()
{
    float *a = 0;
    LAUNCH
    return 0;
}
"""


def test_the_launch_in_the_file_sets_the_block_and_grid():
    assert _findings(LAUNCHED.replace("LAUNCH", "bump<<<1, N>>>(a);")) == []
    assert _lines(LAUNCHED.replace("LAUNCH", "dim3 block(N, 4);\n    bump<<<1, block>>>(a);")) == {
        (5, "cuda-race-global")
    }
    assert _lines(LAUNCHED.replace("LAUNCH", "bump<<<8, N>>>(a);")) == {(5, "cuda-race-global")}
