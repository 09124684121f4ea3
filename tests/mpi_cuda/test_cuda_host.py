"""The CUDA host model: byte counts, pointer allocations, main's trace and the lifecycle walk."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.cuda import lifecycle
from hpclsp.analysis.cuda.hostmem import buffer_of, param_access, size_eval
from hpclsp.analysis.cuda.hosttrace import main_trace
from hpclsp.analysis.cuda.program import Program
from hpclsp.analysis.hostcode.model import model
from hpclsp.analysis.source import SourceFile

HEAD = """
#define N 100
#define M N + 1
int unit = sizeof(int);
float *d_a, *d_b;
float *h;
__global__ void k(const float *in, float *out, float *both, float *other)
{
    int i = threadIdx.x;
    out[i] = in[i];
    both[i] += 1.0f;
    atomicAdd(&other[i], 1.0f);
}
"""


def _model(body: str):
    return model(SourceFile("t.cu", "cuda", HEAD + body))


def _codes(body: str) -> list[str]:
    return sorted(i.code for i in lifecycle.issues(_model(body)))


def _warnings(text: str) -> list[str]:
    res = engine.analyze(SourceFile("t.cu", "cuda", text), Options(budget=30.0))
    return sorted(
        f.code for f in res.findings if f.code == "cuda-launch-config" and f.severity.label == "warning"
    )


def test_sizes_expand_macros_like_the_preprocessor():
    m = _model("int main() { int x = 2 * M * unit; int y = (M) * unit; return 0; }")
    ev = size_eval(m)
    inits = [a[1] for u in m.units if u.is_main for a in m.assignments(u)]
    assert [ev.int_of(n) for n in inits] == [2 * 100 + 1 * 4, 101 * 4]


def test_kernel_side_and_host_model_read_one_macro_table():
    src = SourceFile("t.cu", "cuda", HEAD + "void f() {\n#define LOCAL (N / 4)\n}\n#define N 200\n")
    prog = Program(src)
    assert model(src).object_macros is prog._macro_text  # one table, built once per file
    assert model(src).constants["N"] == 200  # the last definition wins, as in the preprocessor
    local = prog.macro("LOCAL")  # a #define in a function body counts from there on
    assert local is not None and local.text == "(N / 4)"


def test_buffer_needs_every_definition_to_agree():
    m = _model(
        "void a() { cudaMalloc(&d_a, N * 4); cudaMalloc(&d_b, N * 4); }\n"
        "void b(float *p) { d_b = p; }\n"
        "int main() { float *loc = (float *)malloc(M * 4); a(); return 0; }"
    )
    main = next(u for u in m.units if u.is_main)
    da, db, loc = (buffer_of(m, main, n) for n in ("d_a", "d_b", "loc"))
    assert da is not None and (da.kind, da.size) == ("device", 400)
    assert db is None
    assert loc is not None and (loc.kind, loc.size) == ("host", 104)  # M * 4 expands to 100 + 1 * 4


def test_kernel_parameter_access():
    m = _model("int main() { return 0; }")
    k = next(u for u in m.units if u.name == "k")
    acc = param_access(m, k)
    assert acc["in"] == {"r"} and acc["out"] == {"w"} and acc["both"] == {"r", "w"} and acc["other"] == {"?"}


def test_trace_reads_helpers_in_place_and_treats_branches_as_may():
    m = _model(
        "void init() { cudaMalloc(&d_a, N * 4); }\n"
        "int main(int argc, char **argv) { init(); if (argc > 1) cudaMalloc(&d_b, 4);"
        " k<<<1, 1>>>(d_a, d_b, d_b, d_b); goto out; out: return 0; }"
    )
    assert [op.kind for op in main_trace(m)] == ["alloc", "may", "launch", "stop"]
    # d_a is read uninitialised; d_b may have been allocated in the branch: silent
    assert [i.code for i in lifecycle.issues(m)] == ["cuda-uninitialized-device-read"]


def test_alloc_through_a_cpp_cast():
    m = _model(
        "int main() { float *p; cudaMalloc(reinterpret_cast<void **>(&p), 4); k<<<1, 1>>>(p, d_a, d_a, d_a); return 0; }"
    )
    assert [op.kind for op in main_trace(m)][:2] == ["alloc", "launch"]
    assert sorted(i.code for i in lifecycle.issues(m)) == [
        "cuda-unallocated-device-pointer",
        "cuda-uninitialized-device-read",
    ]


def test_unallocated_and_uninitialised():
    assert _codes("int main() { cudaMalloc(&d_a, 4); k<<<1, 1>>>(d_a, d_b, d_b, d_b); return 0; }") == [
        "cuda-unallocated-device-pointer",
        "cuda-uninitialized-device-read",
    ]


def test_unknown_calls_forget_what_they_may_change():
    # an external function may allocate any file-scope pointer, and write what it receives
    assert (
        _codes(
            "void ext(float *);\nint main() { cudaMalloc(&d_a, 4); ext(d_a); k<<<1, 1>>>(d_a, d_b, d_a, d_a); return 0; }"
        )
        == []
    )
    # an alias written through keeps the original defined
    assert (
        _codes(
            "int main() { cudaMalloc(&d_a, 4); cudaMalloc(&d_b, 4); float *p = d_a; cudaMemcpy(p, h, 4, cudaMemcpyHostToDevice);"
            " k<<<1, 1>>>(d_a, d_b, d_b, d_b); return 0; }"
        )
        == []
    )


def test_streams_need_two_created_streams():
    race = (
        "int main() { cudaStream_t s1, s2; cudaStreamCreate(&s1); cudaStreamCreate(&s2);"
        " cudaMalloc(&d_a, 4); cudaMalloc(&d_b, 4); cudaMemcpy(d_a, h, 4, cudaMemcpyHostToDevice);"
        " k<<<1, 1, 0, s1>>>(d_a, d_b, d_b, d_b); cudaMemcpyAsync(h, d_b, 4, cudaMemcpyDeviceToHost, S); return 0; }"
    )
    assert _codes(race.replace(", S)", ", s2)")) == ["cuda-stream-race"]
    assert _codes(race.replace(", S)", ", s1)")) == []
    assert _codes(race.replace(", S)", ", 0)")) == []


def test_launch_limits_are_warnings_only_beyond_every_device():
    src = "__global__ void f(int *x) { x[threadIdx.x] = 0; }\nvoid g(int *d) { f<<<%s, %s>>>(d); cudaGetLastError(); }\n"
    assert _warnings(src % ("dim3(1, 65535)", "1024")) == []
    assert _warnings(src % ("100000", "1024")) == []
    assert _warnings(src % ("dim3(1, 65536)", "32")) == ["cuda-launch-config"]
    assert _warnings(src % ("1", "dim3(32, 33)")) == ["cuda-launch-config"]
