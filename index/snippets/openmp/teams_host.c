/*
 * title: A league of teams on the host with teams distribute
 * tags: openmp, teams, distribute, omp_get_team_num, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    int owner[16];
    #pragma omp teams num_teams(4)
    {
        #pragma omp distribute
        for (int i = 0; i < 16; i++)
            owner[i] = omp_get_team_num();  /* each team handles a contiguous block */
    }
    for (int i = 0; i < 16; i++)
        printf("%d ", owner[i]);
    printf("\n");
    return 0;
}
