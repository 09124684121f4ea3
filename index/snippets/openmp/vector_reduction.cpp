/*
 * title: Reducing over a std::vector with parallel for
 * tags: openmp, reduction, cpp, std-vector
 */
#include <cstdio>
#include <vector>

double mean(const std::vector<double> &v)
{
    double s = 0.0;
    const long n = static_cast<long>(v.size());
    #pragma omp parallel for reduction(+ : s)
    for (long i = 0; i < n; ++i)
        s += v[i];
    return n ? s / n : 0.0;
}

int main()
{
    std::vector<double> v(100000, 2.0);
    std::printf("mean = %f\n", mean(v));
    return 0;
}
