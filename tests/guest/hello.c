/* The smallest useful guest: prints its arguments, exits with argc. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello from i386");
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    return argc;
}
