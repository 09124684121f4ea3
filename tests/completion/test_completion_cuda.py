"""Static completion through the server in CUDA: runtime API, built-ins in device code only, launches."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import by_label, complete, labels, new_text

CU = """\
#include <cuda_runtime.h>
__device__ float square(float x) {
    return x * x;%s
}
__global__ void saxpy(float a, const float *x, float *y, int n) {
    int i = %s
}
int main(void) {
    float *d_x;
    %s
    return 0;
}
"""


def cu(device_fn: str = "", kernel: str = "0;", host: str = "") -> str:
    return CU % (device_fn, kernel, host)


async def test_cuda_builtins_in_device_code_only(client: LanguageClient):
    items = await complete(client, cu(kernel="blockIdx.x * blockDim.x + thr|"), "dev.cu")
    assert "threadIdx" in labels(items)
    assert by_label(items, "threadIdx").documentation.value.count("threadIdx") >= 1
    items = await complete(client, cu(device_fn=" __syncth|"), "devfn.cu")
    assert "__syncthreads" in labels(items)
    items = await complete(client, cu(kernel="0; atomicA|"), "atomic.cu")
    assert new_text(by_label(items, "atomicAdd")).startswith("atomicAdd(")
    # Host code: none of them.
    for typed in ("thr|", "__syncth|", "atomicA|", "blockI|"):
        host_items = await complete(client, cu(host=typed), "host.cu")
        assert host_items == [], (typed, labels(host_items))


async def test_cuda_runtime_api_snippets(client: LanguageClient):
    items = await complete(client, cu(host="cudaMemcpy(d_x, 0, 4, cudaMemcpyH|"), "kind.cu")
    assert "cudaMemcpyHostToDevice" in labels(items)
    items = await complete(client, cu(host="cudaMal|"), "malloc.cu")
    item = by_label(items, "cudaMalloc")
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert new_text(item).startswith("cudaMalloc(${1:")
    assert item.detail.startswith("cudaError_t cudaMalloc(")


async def test_cuda_kernel_launch_snippet(client: LanguageClient):
    items = await complete(client, cu(host="saxp|"), "launch.cu")
    item = by_label(items, "saxpy<<<grid, block>>>")
    assert new_text(item) == "saxpy<<<${1:grid}, ${2:block}>>>(${3:a}, ${4:x}, ${5:y}, ${6:n})$0"
    items = await complete(client, cu(host="saxpy<<<|"), "launch2.cu")
    item = by_label(items, "<<<grid, block>>>")
    assert item.text_edit.range.start.character == len("    saxpy")
    # square() is a __device__ function: no launch for it.
    assert not [i for i in await complete(client, cu(host="squ|"), "nolaunch.cu") if "<<<" in i.label]
