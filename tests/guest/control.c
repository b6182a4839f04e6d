/* Control flow: recursion, jump tables, function pointers, setjmp/longjmp,
 * qsort callbacks, varargs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static const char *kind(int c)
{
    switch (c) {
    case 0: return "zero";
    case 1: return "one";
    case 2: return "two";
    case 3: return "three";
    case 5: return "five";
    case 8: return "eight";
    case 13: return "thirteen";
    case 21: return "twenty-one";
    default: return "other";
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int sum(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}

static jmp_buf jb;

static void deep(int n)
{
    if (n == 0)
        longjmp(jb, 42);
    deep(n - 1);
}

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

int main(int argc, char **argv)
{
    for (int i = 0; i < 25; i++)
        printf("fib(%d) = %d %s\n", i, fib(i), kind(fib(i)));
    int arr[64];
    unsigned seed = 12345;
    for (int i = 0; i < 64; i++) {
        seed = seed * 1103515245u + 12345u;
        arr[i] = (int)(seed >> 8) % 1000 - 500;
    }
    qsort(arr, 64, sizeof(int), cmp_int);
    for (int i = 0; i < 64; i += 8)
        printf("%d %d %d %d %d %d %d %d\n", arr[i], arr[i + 1], arr[i + 2],
               arr[i + 3], arr[i + 4], arr[i + 5], arr[i + 6], arr[i + 7]);
    printf("sum = %d\n", sum(6, 1, 2, 3, 4, 5, -6));
    int r = setjmp(jb);
    if (r == 0)
        deep(100);
    printf("longjmp returned %d\n", r);
    int (*ops[])(int, int) = {add, sub, mul};
    for (int i = 0; i < 3; i++)
        printf("op%d(7, 3) = %d\n", i, ops[i](7, 3));
    char buf[64];
    snprintf(buf, sizeof(buf), "%s|%5d|%-5x|%05u|%c|%%", "str", -42, 0xab,
             17u, 'z');
    printf("%s (%zu)\n", buf, strlen(buf));
    return argc + 2;
}
