/* fork while the optimising tier is busy (run with R386_JIT_HOT low).
 *
 * Before each fork the parent makes a fresh function hot, so the tier-2
 * thread is likely to be compiling when the guest forks; the child then
 * runs hot code and the heap hard, prints what it computed and exits with
 * a status derived from it.  A fork taken in the middle of a compile left
 * the child's copy of LLVM or of the JIT in a state its own tier-2 thread
 * tripped over (heap corruption, stack smashing, a hang).  Every line is
 * compared with qemu-i386. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 24

/* Distinct functions, so each round brings new code to the tier. */
#define MIX(k)                                                               \
    static uint32_t mix##k(uint32_t h, uint32_t x)                           \
    {                                                                        \
        for (int i = 0; i < 8; i++) {                                        \
            h ^= x + (uint32_t)(k * 0x9e3779b9u) + (h << 6) + (h >> 2);      \
            x = x * 1103515245u + 12345u + (uint32_t)k;                      \
            if (h & (1u << (k % 31)))                                        \
                h = (h << 3) | (h >> 29);                                    \
        }                                                                    \
        return h;                                                            \
    }
MIX(0) MIX(1) MIX(2) MIX(3) MIX(4) MIX(5) MIX(6) MIX(7) MIX(8) MIX(9)
MIX(10) MIX(11) MIX(12) MIX(13) MIX(14) MIX(15) MIX(16) MIX(17) MIX(18)
MIX(19) MIX(20) MIX(21) MIX(22) MIX(23)

static uint32_t (*const mixes[ROUNDS])(uint32_t, uint32_t) = {
    mix0,  mix1,  mix2,  mix3,  mix4,  mix5,  mix6,  mix7,
    mix8,  mix9,  mix10, mix11, mix12, mix13, mix14, mix15,
    mix16, mix17, mix18, mix19, mix20, mix21, mix22, mix23};

/* Heap traffic and hashing in the child. */
static uint32_t child_work(int round)
{
    uint32_t h = (uint32_t)round;
    for (int n = 0; n < 2000; n++) {
        size_t len = 16 + (size_t)((h + (uint32_t)n) % 4000);
        unsigned char *p = malloc(len);
        if (!p)
            return 0;
        memset(p, (int)(h & 0xff), len);
        for (size_t i = 0; i < len; i += 64)
            h = mixes[(n + round) % ROUNDS](h, p[i] + (uint32_t)i);
        free(p);
    }
    return h;
}

int main(void)
{
    uint32_t total = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint32_t h = 0;
        for (int i = 0; i < 300; i++) /* hot: past any low threshold */
            h = mixes[round](h, (uint32_t)i);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            uint32_t r = child_work(round);
            printf("child %d: %08x\n", round, r);
            return (int)(r % 200) + 1;
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 1;
        }
        if (WIFSIGNALED(status))
            printf("round %d: child killed by signal %d\n", round,
                   WTERMSIG(status));
        else
            printf("round %d: parent %08x, child exit %d\n", round, h,
                   WEXITSTATUS(status));
        total += h;
    }
    printf("total %08x\n", total);
    return 0;
}
