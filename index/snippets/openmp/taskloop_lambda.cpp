/*
 * title: taskloop over a container calling a lambda
 * tags: openmp, taskloop, num_tasks, cpp, lambda
 */
#include <cmath>
#include <cstdio>
#include <vector>

int main()
{
    std::vector<double> data(50000);
    auto f = [](long i) { return std::sin(0.001 * static_cast<double>(i)); };
    const long n = static_cast<long>(data.size());
    #pragma omp parallel
    #pragma omp single
    #pragma omp taskloop num_tasks(32)
    for (long i = 0; i < n; ++i)
        data[i] = f(i);
    std::printf("%f\n", data[n - 1]);
    return 0;
}
