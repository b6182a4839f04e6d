/* Self-modifying and generated code: every way a write can reach code
 * that already ran must be seen by the next execution.  Run as `smc X`
 * with X one of:
 *   jit     a function in an RWX mapping, rewritten and run 1500 times
 *   text    an instruction in the program's own text, after mprotect
 *   self    code that patches the instruction its jump leads to
 *   read    new code read() from a pipe into a page that already ran
 *   remap   munmap + mmap at the same address with other code
 *   thread  one thread generates code, another runs it (handshake)
 *   far     a function in two pieces pages apart, each rewritten in turn
 *           (the unit made from it reads two ranges of bytes)
 * Compared with qemu-i386 (tests/guest/run_guest.sh). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int (*fn0)(void);

/* In the program's text: `mov $1, %eax; ret` and a routine that patches
 * the immediate of the instruction its jump leads to. */
__asm__(".text\n"
        ".p2align 12\n"
        ".globl smc_target\n"
        "smc_target:\n"
        "    movl $1, %eax\n"
        "    ret\n"
        ".globl smc_self\n"
        "smc_self:\n"
        "    movl 4(%esp), %edx\n"
        "    movl %edx, 1f+1\n"
        "    jmp 1f\n"
        "1:  movl $0, %eax\n"
        "    ret\n");
int smc_target(void);
int smc_self(int v);

/* Two pieces two pages apart: jmp to the second, which jumps back. */
__asm__(".text\n"
        ".p2align 12\n"
        ".globl smc_far\n"
        "smc_far:\n"
        "    jmp smc_far_imm\n"
        ".globl smc_far_add\n"
        "smc_far_add:\n"
        "    .byte 0x83, 0xc0, 0x07\n" /* add $7, %eax */
        "    ret\n"
        "    .skip 8192, 0xcc\n"
        ".globl smc_far_imm\n"
        "smc_far_imm:\n"
        "    movl $42, %eax\n"
        "    jmp smc_far_add\n");
int smc_far(void);
extern uint8_t smc_far_add[], smc_far_imm[];

/* mov $imm, %eax; ret -- or, shape 1, mov $imm, %eax; add $5, %eax; ret */
static void emit(uint8_t *p, uint32_t imm, int shape)
{
    p[0] = 0xb8;
    memcpy(p + 1, &imm, 4);
    if (shape) {
        p[5] = 0x83; /* add $5, %eax */
        p[6] = 0xc0;
        p[7] = 5;
        p[8] = 0xc3;
    } else {
        p[5] = 0xc3;
    }
}

static uint8_t *map_rwx(void *at)
{
    void *p = mmap(at, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int test_jit(void)
{
    uint8_t *buf = map_rwx(NULL);
    if (!buf)
        return 1;
    /* A second function in the same page, never changed, called often
     * (hot: the optimising tier recompiles it while the page changes). */
    emit(buf + 256, 1000, 0);
    int bad = 0;
    long sum = 0;
    /* More than 1000 write faults at one address: each is a retry. */
    for (int i = 0; i < 1500; i++) {
        int shape = i % 3 == 0;
        emit(buf, (uint32_t)i * 7 + 1, shape);
        int want = i * 7 + 1 + (shape ? 5 : 0);
        for (int k = 0; k < 3; k++) {
            int got = ((fn0)buf)();
            if (got != want && bad++ < 5)
                printf("jit: iteration %d: got %d, want %d\n", i, got, want);
            sum += got;
        }
        for (int k = 0; k < 200; k++)
            sum += ((fn0)(buf + 256))();
    }
    printf("jit: sum %ld, %d wrong\n", sum, bad);
    /* The guest's protection of the page is still what it asked for. */
    char want[32], line[256];
    snprintf(want, sizeof(want), "%08lx-", (unsigned long)(uintptr_t)buf);
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, want, strlen(want)) == 0)
            printf("jit: maps %.4s\n", line + strlen(want) + 9);
    if (f)
        fclose(f);
    return bad != 0;
}

static int test_text(void)
{
    uintptr_t page = (uintptr_t)smc_target & ~(uintptr_t)4095;
    int before = smc_target();
    if (mprotect((void *)page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC)) {
        perror("mprotect");
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t v = 1000 + (uint32_t)i;
        memcpy((uint8_t *)smc_target + 1, &v, 4);
        if (smc_target() != (int)v)
            bad++;
    }
    printf("text: before %d, after %d, %d wrong\n", before, smc_target(), bad);
    return bad != 0;
}

static int test_self(void)
{
    uintptr_t page = (uintptr_t)smc_self & ~(uintptr_t)4095;
    if (mprotect((void *)page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC)) {
        perror("mprotect");
        return 1;
    }
    int bad = 0;
    for (int i = 1; i <= 200; i++)
        if (smc_self(i * 3) != i * 3 && bad++ < 5)
            printf("self: %d gave %d\n", i * 3, smc_self(i * 3));
    printf("self: %d wrong\n", bad);
    return bad != 0;
}

static int test_read(void)
{
    uint8_t *buf = map_rwx(NULL);
    int fds[2];
    if (!buf || pipe(fds))
        return 1;
    int bad = 0;
    for (int i = 0; i < 50; i++) {
        uint8_t code[16];
        emit(code, 500 + (uint32_t)i, i & 1);
        if (write(fds[1], code, sizeof(code)) != sizeof(code) ||
            read(fds[0], buf, sizeof(code)) != sizeof(code)) {
            perror("pipe");
            return 1;
        }
        int want = 500 + i + (i & 1 ? 5 : 0);
        if (((fn0)buf)() != want)
            bad++;
        if (((fn0)buf)() != want)
            bad++;
    }
    printf("read: last %d, %d wrong\n", ((fn0)buf)(), bad);
    return bad != 0;
}

static int test_remap(void)
{
    uint8_t *buf = map_rwx(NULL);
    if (!buf)
        return 1;
    int bad = 0;
    for (int i = 0; i < 50; i++) {
        emit(buf, 7000 + (uint32_t)i, i & 1);
        mprotect(buf, 4096, PROT_READ | PROT_EXEC); /* W^X style */
        int want = 7000 + i + (i & 1 ? 5 : 0);
        if (((fn0)buf)() != want || ((fn0)buf)() != want)
            bad++;
        if (munmap(buf, 4096) || map_rwx(buf) != buf) {
            perror("remap");
            return 1;
        }
    }
    printf("remap: %d wrong\n", bad);
    return bad != 0;
}

/* One function in two pieces pages apart: the unit made from it reads
 * both, and a write to either (or to neither: the pages between) must be
 * seen.  smc_far returns imm + k. */
static int test_far(void)
{
    uintptr_t page = (uintptr_t)smc_far & ~(uintptr_t)4095;
    int before = smc_far();
    if (mprotect((void *)page, 4 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC)) {
        perror("mprotect");
        return 1;
    }
    uint8_t *imm_at = smc_far_imm + 1, *k_at = smc_far_add + 2;
    int bad = 0;
    for (int i = 0; i < 200; i++) {
        if (i & 1) {
            *k_at = (uint8_t)(i % 100);
        } else {
            uint32_t v = 10000 + (uint32_t)i;
            memcpy(imm_at, &v, 4);
        }
        ((volatile uint8_t *)page)[4096 + i] = 0; /* between the pieces */
        int32_t imm;
        memcpy(&imm, imm_at, 4);
        int want = imm + *k_at;
        for (int k = 0; k < 3; k++)
            if (smc_far() != want && bad++ < 5)
                printf("far: iteration %d: got %d, want %d\n", i, smc_far(),
                       want);
    }
    printf("far: before %d, last %d, %d wrong\n", before, smc_far(), bad);
    return bad != 0;
}

/* Thread handshake: the generator writes version n and publishes n; the
 * runner runs it and acknowledges n. */
static uint8_t *shared;
static volatile int published, acked;

static void *runner(void *arg)
{
    int *bad = arg;
    for (int n = 1; n <= 300; n++) {
        while (__atomic_load_n(&published, __ATOMIC_ACQUIRE) != n)
            ;
        int want = 100 * n + (n % 4 == 0 ? 5 : 0);
        if (((fn0)shared)() != want)
            (*bad)++;
        __atomic_store_n(&acked, n, __ATOMIC_RELEASE);
    }
    return NULL;
}

static int test_thread(void)
{
    shared = map_rwx(NULL);
    if (!shared)
        return 1;
    emit(shared, 0, 0);
    int bad = 0;
    pthread_t th;
    if (pthread_create(&th, NULL, runner, &bad))
        return 1;
    for (int n = 1; n <= 300; n++) {
        emit(shared, 100 * (uint32_t)n, n % 4 == 0);
        __atomic_store_n(&published, n, __ATOMIC_RELEASE);
        while (__atomic_load_n(&acked, __ATOMIC_ACQUIRE) != n)
            ;
    }
    pthread_join(th, NULL);
    printf("thread: %d wrong\n", bad);
    return bad != 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(void);
    } tests[] = {{"jit", test_jit},       {"text", test_text},
                 {"self", test_self},     {"read", test_read},
                 {"remap", test_remap},   {"thread", test_thread},
                 {"far", test_far}};
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (argc > 1 && strcmp(argv[1], tests[i].name) == 0)
            return tests[i].fn();
    fprintf(stderr, "usage: smc jit|text|self|read|remap|thread|far\n");
    return 2;
}
