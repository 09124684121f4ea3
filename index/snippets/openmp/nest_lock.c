/*
 * title: Re-entrant locking with a nestable lock
 * tags: openmp, nest-lock, omp_set_nest_lock, recursion, c
 */
#include <omp.h>
#include <stdio.h>

static omp_nest_lock_t tree_lock;
static int visited = 0;

static void visit(int depth)
{
    omp_set_nest_lock(&tree_lock);          /* the owner may set it again while holding it */
    visited++;
    if (depth > 0)
        visit(depth - 1);
    omp_unset_nest_lock(&tree_lock);
}

int main(void)
{
    omp_init_nest_lock(&tree_lock);
    #pragma omp parallel num_threads(4)
    visit(3);
    omp_destroy_nest_lock(&tree_lock);
    printf("visited %d nodes\n", visited);
    return 0;
}
