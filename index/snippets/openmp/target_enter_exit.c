/*
 * title: Unstructured device mapping with target enter/exit data
 * tags: openmp, target-enter-data, target-exit-data, offload, c
 */
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int n;
    double *data;
} field;

field field_create(int n)
{
    field f = {n, calloc(n, sizeof(double))};
    #pragma omp target enter data map(to : f.data[0:n])
    return f;
}

void field_scale(field f, double s)
{
    double *d = f.data;
    #pragma omp target teams distribute parallel for
    for (int i = 0; i < f.n; i++)
        d[i] = d[i] * s + 1.0;
}

void field_destroy(field f)
{
    #pragma omp target exit data map(from : f.data[0:f.n])
    free(f.data);
}

int main(void)
{
    field f = field_create(1000);
    field_scale(f, 2.0);
    double *keep = f.data;
    field_destroy(f);
    (void)keep;
    printf("done\n");
    return 0;
}
