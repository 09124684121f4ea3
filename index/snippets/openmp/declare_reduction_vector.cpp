/*
 * title: Element-wise vector reduction with declare reduction in C++
 * tags: openmp, declare-reduction, reduction, cpp, std-vector
 */
#include <cstdio>
#include <vector>

static void add_into(std::vector<long> &out, const std::vector<long> &in)
{
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] += in[i];
}

#pragma omp declare reduction(vec_add : std::vector<long> : add_into(omp_out, omp_in)) \
    initializer(omp_priv = std::vector<long>(omp_orig.size(), 0))

int main()
{
    std::vector<long> bins(10, 0);
    #pragma omp parallel for reduction(vec_add : bins)
    for (int i = 0; i < 100000; ++i)
        bins[i % 10] += 1;
    std::printf("bins[3] = %ld\n", bins[3]);
    return 0;
}
