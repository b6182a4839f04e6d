/* The C library's memory and string functions, malloc (brk and mmap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char a[300], b[300];
    for (int i = 0; i < 300; i++)
        a[i] = (char)(i * 7 + 3);
    for (int len = 0; len < 70; len += 3) {
        for (int off = 0; off < 8; off++) {
            memset(b, 0, sizeof(b));
            memcpy(b + off, a, (size_t)len);
            unsigned s = 0;
            for (int i = 0; i < 300; i++)
                s = s * 33 + (unsigned char)b[i];
            printf("%u ", s % 1000);
        }
        printf("\n");
    }
    memmove(a + 1, a, 100);
    memmove(a + 50, a + 60, 100);
    printf("memmove %d %d %d\n", a[1], a[50], a[120]);
    printf("strlen %zu %zu\n", strlen("hello, world"), strlen(""));
    printf("strcmp %d %d %d\n", strcmp("abc", "abd") < 0,
           strcmp("b", "a") > 0, strcmp("same", "same"));
    printf("strchr %s strrchr %s strstr %s\n", strchr("a.b.c", '.'),
           strrchr("a.b.c", '.'), strstr("haystack needle", "need"));
    size_t total = 0;
    void *blocks[200];
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i * 37 % 500 + 1);
        blocks[i] = malloc(n);
        memset(blocks[i], i, n);
        total += n;
    }
    for (int i = 0; i < 200; i += 2)
        free(blocks[i]);
    for (int i = 1; i < 200; i += 2)
        if (((unsigned char *)blocks[i])[0] != (unsigned char)i)
            printf("corrupt block %d\n", i);
    char *big = malloc(4 << 20); /* served by mmap */
    memset(big, 0x5a, 4 << 20);
    big = realloc(big, 8 << 20);
    printf("malloc %zu big %d %d\n", total, big[0], big[(4 << 20) - 1]);
    free(big);
    return 0;
}
