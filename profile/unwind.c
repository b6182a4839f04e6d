/* Guest call stacks, walked by a guest thread itself when the sampler
 * asks (sample.c), between units, where its state is exact.  Each step
 * finds the .eh_frame row of the pc in the code's ELF file (files.c,
 * loader/cfi.c) and applies it: the CFA (the caller's esp), the return
 * address and the caller's registers, read from the guest's stack.
 * Translated code keeps no call stack at all.
 *
 * The guest's memory is read through process_vm_readv, a few KiB above
 * esp at a time, which fails instead of faulting: a stack pointer or a
 * saved register the guest has made garbage ends the walk, it does not
 * crash r386.  A step must move up the stack (unless it leaves a signal
 * frame) and a return address must lie in a known file's code; a walk
 * that breaks ends with the frames found so far.
 *
 * The first frame's pc is exact (the rules at that very address); a
 * return address is looked up one byte back (a call at the end of a
 * function returns past it), except after a signal frame, whose "return
 * address" is the interrupted pc. */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "profile_internal.h"
#include "r386/cursor.h"

/* ---- the guest stack, copied ---- */

#define VIEW_CHUNK 8192u
#define ROW_CACHE 1024 /* (the hash above keeps 10 bits) */

struct prof_row {
    bool used, found;
    guest_addr_t pc;
    struct elf_cfi_row row;
};

struct prof_view {
    struct prof_row rows[ROW_CACHE];
    pid_t pid;
    uint64_t mem_base; /* host address of guest address 0 */
    guest_addr_t base; /* guest address of buf[0] */
    uint32_t len;      /* bytes of buf read */
    bool ended;        /* a read came back short: nothing further up */
    uint8_t buf[PROFILE_VIEW_MAX];
};

static uint32_t host_read(const struct prof_view *v, guest_addr_t a,
                          void *out, uint32_t n)
{
    struct iovec local = {out, n};
    struct iovec remote = {(void *)(uintptr_t)(v->mem_base + a), n};
    ssize_t r = process_vm_readv(v->pid, &local, 1, &remote, 1, 0);
    return r > 0 ? (uint32_t)r : 0;
}

static void view_reset(struct prof_view *v, pid_t pid, uint64_t mem_base,
                       guest_addr_t esp)
{
    v->pid = pid;
    v->mem_base = mem_base;
    v->base = esp & ~3u;
    v->len = 0;
    v->ended = false;
}

/* The guest word at a; false: unreadable. */
static bool read32(struct prof_view *v, guest_addr_t a, uint32_t *out)
{
    uint32_t off = a - v->base;
    if (a >= v->base && off <= PROFILE_VIEW_MAX - 4) {
        /* Above the stack pointer: extend the copy a chunk at a time
         * (one read of 8 KiB costs about what one of 4 bytes does). */
        while (off + 4 > v->len && !v->ended) {
            uint32_t want = VIEW_CHUNK;
            if (want > PROFILE_VIEW_MAX - v->len)
                want = PROFILE_VIEW_MAX - v->len;
            uint64_t room = (1ull << 32) - ((uint64_t)v->base + v->len);
            if (want > room) /* the top of the address space */
                want = (uint32_t)room;
            uint32_t got = want ? host_read(v, v->base + v->len,
                                            v->buf + v->len, want) : 0;
            v->len += got;
            if (got < want || !want)
                v->ended = true;
        }
        if (off + 4 <= v->len) {
            memcpy(out, v->buf + off, 4);
            return true;
        }
        if (v->ended && off >= v->len)
            return false;
    }
    return host_read(v, a, out, 4) == 4; /* elsewhere: a signal frame */
}

/* ---- registers and rules ---- */

struct regs {
    uint32_t v[ELF_CFI_REGS];
    uint32_t known; /* bit i: v[i] is the register's value */
};

#define EXPR_STACK 16
#define EXPR_OPS 64

/* A DWARF expression of a CFI rule; push_cfa: start with the CFA on the
 * stack (a register's rule, not the CFA's).  Arithmetic and memory only:
 * what .eh_frame uses (PLT entries, signal trampolines, realigned
 * stacks). */
static bool eval(struct prof_view *v, const struct elf_cfi_rule *r,
                 const struct regs *rg, bool push_cfa, uint32_t cfa,
                 uint32_t *out)
{
    uint32_t st[EXPR_STACK];
    unsigned sp = 0;
    if (push_cfa)
        st[sp++] = cfa;
    struct r386_cursor c = {r->expr, r->expr + r->expr_len, false};
    for (unsigned ops = 0; c.p < c.end && !c.bad; ops++) {
        if (ops == EXPR_OPS || sp == EXPR_STACK)
            return false;
        uint8_t op = (uint8_t)r386_cur_bytes(&c, 1);
        int64_t s = 0;
        uint32_t a, b;
        if (op >= 0x30 && op <= 0x4f) { /* lit0..31 */
            st[sp++] = op - 0x30u;
            continue;
        }
        if ((op >= 0x70 && op <= 0x8f) || op == 0x92) { /* breg, bregx */
            uint64_t reg = op == 0x92 ? r386_cur_leb(&c, NULL) : op - 0x70u;
            r386_cur_leb(&c, &s);
            if (reg >= ELF_CFI_REGS || !(rg->known >> reg & 1))
                return false;
            st[sp++] = rg->v[reg] + (uint32_t)s;
            continue;
        }
        switch (op) {
        case 0x03: st[sp++] = (uint32_t)r386_cur_bytes(&c, 4); continue;
        case 0x08: st[sp++] = (uint32_t)r386_cur_bytes(&c, 1); continue;
        case 0x09: st[sp++] = (uint32_t)(int8_t)r386_cur_bytes(&c, 1); continue;
        case 0x0a: st[sp++] = (uint32_t)r386_cur_bytes(&c, 2); continue;
        case 0x0b: st[sp++] = (uint32_t)(int16_t)r386_cur_bytes(&c, 2); continue;
        case 0x0c: case 0x0d: st[sp++] = (uint32_t)r386_cur_bytes(&c, 4); continue;
        case 0x10: st[sp++] = (uint32_t)r386_cur_leb(&c, NULL); continue;
        case 0x11: r386_cur_leb(&c, &s); st[sp++] = (uint32_t)s; continue;
        case 0x96: continue; /* nop */
        }
        /* The rest take operands from the stack. */
        if (sp == 0)
            return false;
        switch (op) {
        case 0x06: /* deref */
            if (!read32(v, st[sp - 1], &st[sp - 1]))
                return false;
            continue;
        case 0x12: st[sp] = st[sp - 1]; sp++; continue;   /* dup */
        case 0x13: sp--; continue;                        /* drop */
        case 0x1f: st[sp - 1] = -st[sp - 1]; continue;    /* neg */
        case 0x20: st[sp - 1] = ~st[sp - 1]; continue;    /* not */
        case 0x23: st[sp - 1] += (uint32_t)r386_cur_leb(&c, NULL); continue;
        }
        if (sp < 2)
            return false;
        b = st[--sp];
        a = st[sp - 1];
        uint32_t *t = &st[sp - 1];
        switch (op) {
        case 0x14: st[sp++] = b; st[sp++] = a; break;     /* over */
        case 0x16: *t = b; st[sp++] = a; break;           /* swap */
        case 0x1a: *t = a & b; break;
        case 0x1c: *t = a - b; break;
        case 0x1e: *t = a * b; break;
        case 0x21: *t = a | b; break;
        case 0x22: *t = a + b; break;
        case 0x24: *t = b < 32 ? a << b : 0; break;
        case 0x25: *t = b < 32 ? a >> b : 0; break;
        case 0x26: *t = (uint32_t)((int32_t)a >> (b < 31 ? b : 31)); break;
        case 0x27: *t = a ^ b; break;
        case 0x29: *t = a == b; break;
        case 0x2a: *t = (int32_t)a >= (int32_t)b; break;
        case 0x2b: *t = (int32_t)a > (int32_t)b; break;
        case 0x2c: *t = (int32_t)a <= (int32_t)b; break;
        case 0x2d: *t = (int32_t)a < (int32_t)b; break;
        case 0x2e: *t = a != b; break;
        default: return false; /* branches, division, pick...: not used */
        }
    }
    if (c.bad || sp == 0)
        return false;
    *out = st[sp - 1];
    return true;
}

/* The caller's value of register i under rule r; false: not known. */
static bool apply(struct prof_view *v, const struct elf_cfi_rule *r,
                  const struct regs *rg, uint32_t cfa, unsigned i,
                  uint32_t *out)
{
    uint32_t a;
    switch (r->how) {
    case ELF_CFI_SAME:
        *out = rg->v[i];
        return rg->known >> i & 1;
    case ELF_CFI_AT:
        return read32(v, cfa + (uint32_t)r->off, out);
    case ELF_CFI_VAL:
        *out = cfa + (uint32_t)r->off;
        return true;
    case ELF_CFI_REG:
        *out = r->reg < ELF_CFI_REGS ? rg->v[r->reg] : 0;
        return r->reg < ELF_CFI_REGS && (rg->known >> r->reg & 1);
    case ELF_CFI_AT_EXPR:
        return eval(v, r, rg, true, cfa, &a) && read32(v, a, out);
    case ELF_CFI_VAL_EXPR:
        return eval(v, r, rg, true, cfa, out);
    default:
        return false;
    }
}

/* ---- signal frames ----
 * glibc's i386 signal restorers (__restore_rt, __restore) have no FDE:
 * like libgcc's fallback (and gdb), a walk knows them by their code and
 * reads the interrupted registers from the frame the kernel (here,
 * runtime/signal_deliver.c) built: on entry to the restorer, esp points
 * just past the frame's return address.  Linux's i386 layouts: an
 * rt_sigframe's ucontext 140 bytes on, its sigcontext 20 into that; a
 * sigframe's sigcontext 4 bytes on.  The sigcontext holds gs fs es ds,
 * then edi esi ebp esp ebx edx ecx eax (offset 16 on), trapno err eip
 * (eip at 56). */
static const uint8_t rt_sigreturn_code[] = {0xb8, 0xad, 0, 0, 0, 0xcd, 0x80};
static const uint8_t sigreturn_code[] = {0x58, 0xb8, 0x77, 0, 0, 0, 0xcd, 0x80};

/* If pc is a restorer, the interrupted registers into up. */
static bool signal_frame(struct prof_view *v, guest_addr_t pc,
                         const struct regs *rg, struct regs *up)
{
    uint8_t code[8];
    if (host_read(v, pc, code, sizeof(code)) != sizeof(code) ||
        !(rg->known >> 4 & 1))
        return false;
    guest_addr_t sc;
    if (memcmp(code, rt_sigreturn_code, sizeof(rt_sigreturn_code)) == 0)
        sc = rg->v[4] + 140 + 20;
    else if (memcmp(code, sigreturn_code, sizeof(sigreturn_code)) == 0)
        sc = rg->v[4] + 4;
    else
        return false;
    /* DWARF order eax ecx edx ebx esp ebp esi edi; sigcontext order
     * edi esi ebp esp ebx edx ecx eax. */
    static const uint8_t at[8] = {44, 40, 36, 32, 28, 24, 20, 16};
    *up = (struct regs){0};
    for (unsigned i = 0; i < 8; i++)
        if (read32(v, sc + at[i], &up->v[i]))
            up->known |= 1u << i;
    if (!read32(v, sc + 56, &up->v[ELF_CFI_RA]))
        return false;
    up->known |= 1u << ELF_CFI_RA;
    return up->known >> 4 & 1;
}

/* The rules of pc (a guest address) from its file; false: none.  Rows
 * are remembered by pc: the same stacks come back sample after sample,
 * and a row is the CIE's and the FDE's instructions run up to pc. */
static bool row_of(struct profile *p, guest_addr_t pc, struct elf_cfi_row *row)
{
    struct prof_row *c = &p->view->rows[(pc * 2654435761u) >> 22];
    if (c->used && c->pc == pc) {
        *row = c->row;
        return c->found;
    }
    int f;
    guest_addr_t bias;
    bool found = profile_find_file(p, pc, &f, &bias) && p->files[f].syms &&
                 elf_symbols_cfi(p->files[f].syms, pc - bias, row);
    *c = (struct prof_row){.used = true, .found = found, .pc = pc};
    if (found)
        c->row = *row;
    return found;
}

unsigned profile_unwind(struct profile *p, uint64_t mem_base,
                        guest_addr_t pc, const uint32_t gpr[8],
                        guest_addr_t *out, unsigned max)
{
    struct prof_view *v = p->view;
    view_reset(v, p->pid, mem_base, gpr[4]);
    /* (The guest's register numbers are DWARF's, 0-7.) */
    struct regs rg = {.known = 0xffu | 1u << ELF_CFI_RA};
    memcpy(rg.v, gpr, 8 * sizeof(uint32_t));
    rg.v[ELF_CFI_RA] = pc;
    bool exact = true; /* pc is where the frame is, not a return address */
    unsigned n = 0;
    for (unsigned depth = 0; n < max; depth++) {
        struct elf_cfi_row row;
        guest_addr_t at = exact ? pc : pc - 1;
        struct regs up = {0};
        bool has_row = row_of(p, at, &row);
        if (!has_row && !exact && signal_frame(v, pc, &rg, &up)) {
            /* Named as the interrupted pc itself: one byte on, as the
             * symbolizer names return addresses one byte back. */
            out[n++] = up.v[ELF_CFI_RA] + 1;
            pc = up.v[ELF_CFI_RA];
            exact = true;
            rg = up;
            continue;
        }
        if (!has_row) {
            /* No rules for the first frame: taken for a function's
             * first instruction (a PLT stub, assembly without CFI).  The
             * return address it gives is checked like any other. */
            if (depth)
                break;
            memset(&row, 0, sizeof(row));
            row.cfa = (struct elf_cfi_rule){.how = ELF_CFI_REG, .reg = 4,
                                            .off = 4};
            row.reg[ELF_CFI_RA] =
                (struct elf_cfi_rule){.how = ELF_CFI_AT, .off = -4};
        }
        uint32_t cfa;
        if (row.cfa.how == ELF_CFI_REG) {
            if (row.cfa.reg >= ELF_CFI_REGS || !(rg.known >> row.cfa.reg & 1))
                break;
            cfa = rg.v[row.cfa.reg] + (uint32_t)row.cfa.off;
        } else if (!eval(v, &row.cfa, &rg, false, 0, &cfa)) {
            break;
        }
        for (unsigned i = 0; i < ELF_CFI_REGS; i++)
            if (row.reg[i].how != ELF_CFI_UNDEFINED &&
                /* eax, ecx and edx do not live across a call: only a
                 * rule that restores them (a signal frame's) knows them */
                !(i <= 2 && row.reg[i].how == ELF_CFI_SAME) &&
                apply(v, &row.reg[i], &rg, cfa, i, &up.v[i]))
                up.known |= 1u << i;
        if (row.reg[4].how == ELF_CFI_SAME) { /* the caller's esp: the CFA */
            up.v[4] = cfa;
            up.known |= 1u << 4;
        }
        /* Up the stack, except out of a signal frame (the interrupted
         * code may have run on another stack). */
        if (!(up.known >> ELF_CFI_RA & 1) || !(up.known >> 4 & 1) ||
            (!row.signal && up.v[4] <= rg.v[4]))
            break;
        guest_addr_t ret = up.v[ELF_CFI_RA];
        int f;
        guest_addr_t bias;
        if (!ret || !profile_find_file(p, row.signal ? ret : ret - 1, &f,
                                       &bias))
            break;
        /* An interrupted pc is named as itself: one byte on, as the
         * symbolizer names return addresses one byte back. */
        out[n++] = row.signal ? ret + 1 : ret;
        exact = row.signal;
        pc = ret;
        rg = up;
    }
    return n;
}

struct prof_view *profile_view_new(void)
{
    return calloc(1, sizeof(struct prof_view));
}
