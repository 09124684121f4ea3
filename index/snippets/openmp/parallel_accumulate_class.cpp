/*
 * title: Per-thread partial results in a class, combined in critical
 * tags: openmp, critical, parallel, omp_get_thread_num, cpp
 */
#include <cstdio>
#include <omp.h>
#include <vector>

class Stats {
public:
    void add(double x) { n_++; sum_ += x; }
    void merge(const Stats &o) { n_ += o.n_; sum_ += o.sum_; }
    double mean() const { return n_ ? sum_ / n_ : 0.0; }
private:
    long n_ = 0;
    double sum_ = 0.0;
};

int main()
{
    std::vector<double> xs(100000);
    for (std::size_t i = 0; i < xs.size(); ++i)
        xs[i] = static_cast<double>(i % 100);
    Stats total;
    const long n = static_cast<long>(xs.size());
    #pragma omp parallel
    {
        Stats local;                        // private: declared inside the region
        #pragma omp for nowait
        for (long i = 0; i < n; ++i)
            local.add(xs[i]);
        #pragma omp critical
        total.merge(local);
    }
    std::printf("mean = %f using up to %d threads\n", total.mean(), omp_get_max_threads());
    return 0;
}
