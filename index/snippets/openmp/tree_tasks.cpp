/*
 * title: Recursive binary tree traversal with tasks
 * tags: openmp, task, taskwait, recursion, tree, cpp
 */
#include <cstdio>
#include <memory>

struct Node {
    int value = 1;
    std::unique_ptr<Node> left, right;
};

static std::unique_ptr<Node> build(int depth)
{
    auto n = std::make_unique<Node>();
    if (depth > 0) {
        n->left = build(depth - 1);
        n->right = build(depth - 1);
    }
    return n;
}

static long sum(const Node *n)
{
    if (!n)
        return 0;
    long l = 0, r = 0;
    #pragma omp task shared(l) if (n->left && n->left->left)
    l = sum(n->left.get());
    r = sum(n->right.get());
    #pragma omp taskwait
    return n->value + l + r;
}

int main()
{
    auto root = build(16);
    long total = 0;
    #pragma omp parallel
    #pragma omp single
    total = sum(root.get());
    std::printf("nodes = %ld\n", total);
    return 0;
}
