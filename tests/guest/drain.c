/* A loop that runs a hundred times, then a pause past r386's
 * start-up window: the background thread's requests for them are still
 * waiting when the program exits (tests/cli/background.sh). */
#include <stdio.h>
#include <time.h>

static volatile unsigned sink;

int main(void)
{
    for (unsigned i = 0; i < 100; i++)
        sink += i * 2654435761u;
    struct timespec pause = {0, 120 * 1000 * 1000};
    nanosleep(&pause, NULL);
    printf("%u\n", sink);
    return 0;
}
