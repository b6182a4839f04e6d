/* String search: count occurrences of several needles in generated text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 40;
    enum { N = 1 << 22 };
    char *text = malloc(N + 1);
    unsigned x = 7;
    for (int i = 0; i < N; i++) {
        x = x * 1664525u + 1013904223u;
        text[i] = "abcdefgh ij\n"[(x >> 24) % 12];
    }
    text[N] = '\0';
    const char *needles[] = {"abc", "hij", "dead", "face", "ab ab", "ggg"};
    long total = 0;
    for (int r = 0; r < reps; r++)
        for (int k = 0; k < 6; k++)
            for (const char *p = text; (p = strstr(p, needles[k])); p++)
                total++;
    printf("%ld\n", total);
    return 0;
}
