"""Generate large, realistic C and Fortran files (kernels with OpenMP) for latency benchmarks."""

from __future__ import annotations


def c_file(lines: int = 5000) -> str:
    """A C file of about `lines` lines: many small OpenMP kernels."""
    out = ["#include <stdio.h>", "#include <math.h>", "#include <omp.h>", ""]
    k = 0
    while len(out) < lines - 20:
        out += [
            f"void kernel_{k}(int n, double *a, const double *b, double *c) {{",
            "    double sum = 0.0;",
            "#pragma omp parallel for reduction(+:sum) schedule(static)",
            "    for (int i = 0; i < n; i++) {",
            "        double t = b[i] * 2.0 + c[i];",
            "        a[i] = sqrt(t * t + 1.0);",
            "        sum += a[i];",
            "    }",
            "    for (int i = 1; i < n; i++) {",
            "        c[i] = c[i - 1] + b[i];",
            "    }",
            "#pragma omp parallel for collapse(2) private(sum)",
            "    for (int i = 0; i < n; i++)",
            "        for (int j = 0; j < n; j++) {",
            "            sum = a[i] * b[j];",
            "            c[(i * n + j) % n] += 0.0 * sum;",
            "        }",
            f'    printf("%f\\n", sum + {k});',
            "}",
            "",
        ]
        k += 1
    out += ["int main(void) {", "    return 0;", "}"]
    return "\n".join(out) + "\n"


def fortran_file(lines: int = 5000) -> str:
    """A free-form Fortran file of about `lines` lines."""
    out = ["module kernels", "  implicit none", "contains"]
    k = 0
    while len(out) < lines - 10:
        out += [
            f"  subroutine kernel_{k}(n, a, b, c)",
            "    integer, intent(in) :: n",
            "    double precision, intent(inout) :: a(n), b(n), c(n)",
            "    double precision :: s, t",
            "    integer :: i, j",
            "    s = 0.0d0",
            "!$omp parallel do private(t) reduction(+:s)",
            "    do i = 1, n",
            "      t = b(i) * 2.0d0 + c(i)",
            "      a(i) = sqrt(t * t + 1.0d0)",
            "      s = s + a(i)",
            "    end do",
            "!$omp end parallel do",
            "    do i = 2, n",
            "      c(i) = c(i - 1) + b(i)",
            "    end do",
            "    do j = 1, n",
            "      do i = 1, n",
            "        b(i) = b(i) + a(j) * 0.0d0",
            "      end do",
            "    end do",
            f"    print *, s + {k}",
            f"  end subroutine kernel_{k}",
            "",
        ]
        k += 1
    out += ["end module kernels"]
    return "\n".join(out) + "\n"
