/*
 * title: Processing a linked list with one task per node
 * tags: openmp, task, single, linked-list, firstprivate, c
 */
#include <stdio.h>
#include <stdlib.h>

struct node {
    double value;
    struct node *next;
};

static void process(struct node *p)
{
    for (int k = 0; k < 1000; k++)
        p->value = p->value * 0.999 + 1.0;
}

void process_list(struct node *head)
{
    #pragma omp parallel
    #pragma omp single
    {
        for (struct node *p = head; p != NULL; p = p->next) {
            /* p is firstprivate in the task: each task keeps the node it was created for */
            #pragma omp task firstprivate(p)
            process(p);
        }
    }   /* the implicit barrier waits for all tasks */
}

int main(void)
{
    struct node *head = NULL;
    for (int i = 0; i < 100; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = i;
        n->next = head;
        head = n;
    }
    process_list(head);
    printf("head value %f\n", head->value);
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
    return 0;
}
