/* For guest programs that make code hot for the optimising tier: run a
 * body again and again for a while (the tier works on its own thread),
 * then print only results that do not depend on how long. */
#ifndef HOT_H
#define HOT_H

#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* body, again and again until `seconds` have passed. */
#define HOT(seconds, body)                                                   \
    do {                                                                     \
        double t0_ = now();                                                  \
        do {                                                                 \
            body;                                                            \
        } while (now() - t0_ < (seconds));                                   \
    } while (0)

#endif
