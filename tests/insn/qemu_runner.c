/* The guest side of the qemu-i386 cross-check: a static i386 program
 * without libc that runs every case of cases.inc (written by casegen) in
 * a child process of its own and prints the state the case ends in.
 *
 * Built by qemu_check.sh with
 *   gcc -m32 -nostdlib -static -ffreestanding -fno-pie -no-pie ...
 *
 * A child maps the case's memory (code page at 0x00400000, data, stack),
 * puts a jump to the epilogue right after the code, loads the registers
 * and EFLAGS (popf) and jumps to 0x00400000.  The epilogue stores the
 * registers and EFLAGS and prints them; a signal handler (on its own
 * stack) prints the state of a case that ends in a signal instead.
 *
 * Output, one line each, numbers in hex but idx and sig:
 *   R idx sig eip eax ecx edx ebx esp ebp esi edi eflags
 *   M idx addr bytes          (the outmem ranges, read after the run)
 *   K idx status              (the child died another way: wait status) */
#include <stddef.h>
#include <stdint.h>

struct rmem {
    uint32_t addr, len;
    const uint8_t *bytes;
};

struct rcase {
    const uint8_t *code;
    uint32_t code_len;
    uint32_t regs[8]; /* eax ecx edx ebx esp ebp esi edi */
    uint32_t eflags;
    uint32_t fs_base, gs_base;
    uint8_t has_fs, has_gs, skip;
    uint32_t nmem, nout;
    const struct rmem *mem, *out;
};

#include "cases.inc" /* static const struct rcase cases[]; ncases */

#define CODE_BASE 0x00400000u
#define CODE_SIZE 0x1000u
#define DATA_BASE 0x00500000u
#define DATA_SIZE 0x10000u
#define STACK_BASE 0x00600000u
#define STACK_SIZE 0x10000u

enum {
    NR_exit = 1, NR_fork = 2, NR_write = 4, NR_alarm = 27, NR_mmap = 90,
    NR_wait4 = 114, NR_mprotect = 125, NR_rt_sigaction = 174,
    NR_sigaltstack = 186, NR_set_thread_area = 243,
};

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80"
                     : "=a"(r)
                     : "0"(n), "b"(a), "c"(b), "d"(c)
                     : "memory");
    return r;
}

static long sys4(long n, long a, long b, long c, long d)
{
    long r;
    __asm__ volatile("int $0x80"
                     : "=a"(r)
                     : "0"(n), "b"(a), "c"(b), "d"(c), "S"(d)
                     : "memory");
    return r;
}

static __attribute__((noreturn)) void sys_exit(int status)
{
    for (;;)
        sys3(NR_exit, status, 0, 0);
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    while (n--)
        *dp++ = (uint8_t)c;
    return d;
}

/* ---- output ---- */

static char obuf[16384];
static size_t olen;

static void out_flush(void)
{
    size_t done = 0;
    while (done < olen) {
        long n = sys3(NR_write, 1, (long)(obuf + done), (long)(olen - done));
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    olen = 0;
}

static void out_ch(char c)
{
    if (olen == sizeof(obuf))
        out_flush();
    obuf[olen++] = c;
}

static void out_str(const char *s)
{
    while (*s)
        out_ch(*s++);
}

static void out_hex(uint32_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        out_ch(hex[(v >> (4 * i)) & 15]);
}

static void out_dec(uint32_t v)
{
    char b[12];
    int n = 0;
    do
        b[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        out_ch(b[--n]);
}

/* ---- running one case (in a child) ---- */

/* Read by the entry and epilogue code below. */
uint32_t in_regs[8], in_eflags, out_regs[8], out_eflags;
uint32_t code_entry = CODE_BASE;
void (*epilogue_slot)(void);
static uint32_t cur;
static uint8_t own_stack[16384] __attribute__((aligned(16)));
uint8_t *own_stack_top = own_stack + sizeof(own_stack);
static uint8_t alt_stack[16384] __attribute__((aligned(16)));

void enter_case(void) __attribute__((noreturn));
void case_epilogue(void);
__asm__(".text\n"
        ".globl enter_case\n"
        "enter_case:\n"
        "  movl own_stack_top, %esp\n"
        "  pushl in_eflags\n"
        "  popfl\n"
        "  movl in_regs+0, %eax\n"
        "  movl in_regs+4, %ecx\n"
        "  movl in_regs+8, %edx\n"
        "  movl in_regs+12, %ebx\n"
        "  movl in_regs+20, %ebp\n"
        "  movl in_regs+24, %esi\n"
        "  movl in_regs+28, %edi\n"
        "  movl in_regs+16, %esp\n"
        "  jmp *code_entry\n"
        ".globl case_epilogue\n"
        "case_epilogue:\n"
        "  movl %eax, out_regs+0\n"
        "  movl %ecx, out_regs+4\n"
        "  movl %edx, out_regs+8\n"
        "  movl %ebx, out_regs+12\n"
        "  movl %esp, out_regs+16\n"
        "  movl %ebp, out_regs+20\n"
        "  movl %esi, out_regs+24\n"
        "  movl %edi, out_regs+28\n"
        "  movl own_stack_top, %esp\n"
        "  pushfl\n"
        "  popl out_eflags\n"
        "  cld\n"
        "  call epilogue_c\n");

static void report(int sig, uint32_t eip, const uint32_t *regs,
                   uint32_t eflags)
{
    const struct rcase *c = &cases[cur];
    out_str("R ");
    out_dec(cur);
    out_ch(' ');
    out_dec((uint32_t)sig);
    out_ch(' ');
    out_hex(eip, 8);
    for (int i = 0; i < 8; i++) {
        out_ch(' ');
        out_hex(regs[i], 8);
    }
    out_ch(' ');
    out_hex(eflags, 8);
    out_ch('\n');
    for (uint32_t i = 0; i < c->nout; i++) {
        out_str("M ");
        out_dec(cur);
        out_ch(' ');
        out_hex(c->out[i].addr, 8);
        out_ch(' ');
        const uint8_t *p = (const uint8_t *)(uintptr_t)c->out[i].addr;
        for (uint32_t j = 0; j < c->out[i].len; j++)
            out_hex(p[j], 2);
        out_ch('\n');
    }
    out_flush();
    sys_exit(0);
}

void epilogue_c(void) __attribute__((noreturn, used));
void epilogue_c(void)
{
    report(0, CODE_BASE + cases[cur].code_len, out_regs, out_eflags);
    for (;;)
        ;
}

/* i386 ucontext: uc_mcontext (struct sigcontext) starts at byte 20;
 * in it gs fs es ds (4 bytes each), then edi esi ebp esp ebx edx ecx eax
 * trapno err eip cs eflags. */
static void on_signal(int sig, void *info, void *uc)
{
    const uint32_t *sc = (const uint32_t *)((const uint8_t *)uc + 20);
    uint32_t regs[8] = {sc[11], sc[10], sc[9], sc[8],
                        sc[7], sc[6], sc[5], sc[4]};
    report(sig, sc[14], regs, sc[16]);
}

struct k_sigaction {
    void *handler;
    uint32_t flags;
    void *restorer;
    uint32_t mask[2];
};

static void catch_signals(void)
{
    struct {
        void *sp;
        int flags;
        uint32_t size;
    } ss = {alt_stack, 0, sizeof(alt_stack)};
    sys3(NR_sigaltstack, (long)&ss, 0, 0);
    static const int sigs[] = {4 /* ILL */, 5 /* TRAP */, 7 /* BUS */,
                               8 /* FPE */, 11 /* SEGV */};
    struct k_sigaction sa = {(void *)on_signal,
                             0x4 /* SA_SIGINFO */ | 0x08000000 /* ONSTACK */,
                             0, {~0u, ~0u}};
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sys4(NR_rt_sigaction, sigs[i], (long)&sa, 0, 8);
}

static void map(uint32_t addr, uint32_t len)
{
    uint32_t args[6] = {addr, len, 3 /* RW */,
                        0x32 /* MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS */,
                        (uint32_t)-1, 0};
    if (sys3(NR_mmap, (long)args, 0, 0) != (long)addr) {
        out_str("E cannot map the case memory\n");
        out_flush();
        sys_exit(1);
    }
}

/* A free TLS descriptor with this base, loaded into no register yet:
 * qemu-i386 hands out GDT entries 6-8, as an i386 kernel does. */
static uint16_t tls_selector(uint32_t base)
{
    struct {
        uint32_t entry, base, limit, flags;
    } d = {(uint32_t)-1, base, 0xfffff, 0x51 /* 32-bit, pages, usable */};
    long rc = sys3(NR_set_thread_area, (long)&d, 0, 0);
    if (rc != 0) {
        out_str("E set_thread_area failed: -");
        out_dec((uint32_t)-rc);
        out_ch('\n');
        out_flush();
        sys_exit(1);
    }
    return (uint16_t)((d.entry << 3) | 3);
}

static __attribute__((noreturn)) void run_case(uint32_t i)
{
    const struct rcase *c = &cases[i];
    cur = i;
    map(CODE_BASE, CODE_SIZE);
    map(DATA_BASE, DATA_SIZE);
    map(STACK_BASE, STACK_SIZE);
    uint8_t *code = (uint8_t *)(uintptr_t)CODE_BASE;
    memcpy(code, c->code, c->code_len);
    /* jmp *epilogue_slot */
    epilogue_slot = case_epilogue;
    uint8_t *stub = code + c->code_len;
    uint32_t slot = (uint32_t)(uintptr_t)&epilogue_slot;
    stub[0] = 0xff;
    stub[1] = 0x25;
    memcpy(stub + 2, &slot, 4);
    for (uint32_t m = 0; m < c->nmem; m++)
        memcpy((void *)(uintptr_t)c->mem[m].addr, c->mem[m].bytes,
               c->mem[m].len);
    sys3(NR_mprotect, CODE_BASE, CODE_SIZE, 5 /* R+X */);
    if (c->has_gs) {
        uint16_t sel = tls_selector(c->gs_base);
        __asm__ volatile("movw %0, %%gs" : : "r"(sel));
    }
    if (c->has_fs) {
        uint16_t sel = tls_selector(c->fs_base);
        __asm__ volatile("movw %0, %%fs" : : "r"(sel));
    }
    catch_signals();
    sys3(NR_alarm, 5, 0, 0);
    memcpy(in_regs, c->regs, sizeof(in_regs));
    in_eflags = c->eflags;
    enter_case();
}

void start_c(void) __attribute__((noreturn, used));
void start_c(void)
{
    for (uint32_t i = 0; i < ncases; i++) {
        if (cases[i].skip)
            continue;
        long pid = sys3(NR_fork, 0, 0, 0);
        if (pid == 0)
            run_case(i);
        int status = 0;
        if (pid < 0 || sys4(NR_wait4, pid, (long)&status, 0, 0) != pid ||
            status != 0) {
            out_str("K ");
            out_dec(i);
            out_ch(' ');
            out_dec((uint32_t)status);
            out_ch('\n');
            out_flush();
        }
    }
    sys_exit(0);
}

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  andl $-16, %esp\n"
        "  call start_c\n");
