/*
 * title: Independent work in parallel sections
 * tags: openmp, sections, section, c
 */
#include <stdio.h>

static double integrate(double a, double b, int n)
{
    double h = (b - a) / n, s = 0.0;
    for (int i = 0; i < n; i++) {
        double x = a + (i + 0.5) * h;
        s += x * x;
    }
    return s * h;
}

int main(void)
{
    double left = 0.0, right = 0.0, middle = 0.0;
    #pragma omp parallel sections
    {
        #pragma omp section
        left = integrate(0.0, 1.0, 1000000);
        #pragma omp section
        middle = integrate(1.0, 2.0, 1000000);
        #pragma omp section
        right = integrate(2.0, 3.0, 1000000);
    }
    printf("%f %f %f\n", left, middle, right);
    return 0;
}
