/* A matrix product in double precision. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    double *a = malloc(sizeof(double) * (size_t)(n * n));
    double *b = malloc(sizeof(double) * (size_t)(n * n));
    double *c = calloc((size_t)(n * n), sizeof(double));
    for (int i = 0; i < n * n; i++) {
        a[i] = (double)(i % 17) / 7.0;
        b[i] = (double)(i % 13) / 5.0;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double t = a[i * n + k];
            for (int j = 0; j < n; j++)
                c[i * n + j] += t * b[k * n + j];
        }
    double s = 0;
    for (int i = 0; i < n * n; i++)
        s += c[i];
    printf("%.6f\n", s);
    return 0;
}
