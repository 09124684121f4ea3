/*
 * title: Reduction over tasks with task_reduction and in_reduction
 * tags: openmp, task, task_reduction, in_reduction, taskgroup, c
 */
#include <stdio.h>

struct item {
    int weight;
    struct item *next;
};

long total_weight(struct item *list)
{
    long sum = 0;
    #pragma omp parallel
    #pragma omp single
    {
        #pragma omp taskgroup task_reduction(+ : sum)
        for (struct item *p = list; p; p = p->next) {
            #pragma omp task in_reduction(+ : sum) firstprivate(p)
            sum += p->weight;
        }
    }
    return sum;
}

int main(void)
{
    struct item items[50];
    for (int i = 0; i < 50; i++) {
        items[i].weight = i;
        items[i].next = i + 1 < 50 ? &items[i + 1] : NULL;
    }
    printf("total = %ld\n", total_weight(items));
    return 0;
}
