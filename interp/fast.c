/* The executor's forms: the common instructions (32-bit, and a few 8-bit
 * ones) run straight from the fields decoding filled in, without
 * interp_exec's walk through the mnemonic and its generic operand
 * accessors (~130 host instructions a guest instruction in a warm `bash
 * -c`; ~40 with the forms).  Each form does what interp_exec does for the
 * instruction -- reads before writes, the same flags -- and anything else
 * is left to it.  Which instructions take a form is decided once, when
 * they are decoded (interp_form_choose), and kept with them in the saved
 * chunks. */
#include "operand.h"

/* ---- choosing ---- */

static bool is_reg32(const struct interp_operand *o)
{
    return o->type == ZYDIS_OPERAND_TYPE_REGISTER && o->gpr < INTERP_GPR8;
}

static bool is_reg8(const struct interp_operand *o)
{
    return o->type == ZYDIS_OPERAND_TYPE_REGISTER && o->gpr >= INTERP_GPR8 &&
           o->gpr < INTERP_GPR8 + 8;
}

static bool is_mem(const struct interp_operand *o, unsigned size)
{
    return o->type == ZYDIS_OPERAND_TYPE_MEMORY && o->size == size;
}

static bool is_imm(const struct interp_operand *o)
{
    return o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
}

/* The ALU form's index of an instruction (FORM_ALU_RR's order), or -1. */
static int alu_index(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_ADD: return 0;
    case ZYDIS_MNEMONIC_SUB: return 1;
    case ZYDIS_MNEMONIC_AND: return 2;
    case ZYDIS_MNEMONIC_OR: return 3;
    case ZYDIS_MNEMONIC_XOR: return 4;
    case ZYDIS_MNEMONIC_CMP: return 5;
    case ZYDIS_MNEMONIC_TEST: return 6;
    default: return -1;
    }
}

/* 8-bit operations: CMP and TEST, stores. */
static enum interp_form form8_of(const struct interp_insn *in)
{
    const struct interp_operand *a = &in->op[0], *b = &in->op[1];
    bool ra = is_reg8(a), ma = is_mem(a, 8), rb = is_reg8(b), ib = is_imm(b);
    if (in->visible != 2 || !(ra || ma) || !(rb || ib))
        return FORM_GENERIC;
    switch ((ZydisMnemonic)in->mnemonic) {
    case ZYDIS_MNEMONIC_CMP:
        return ra ? (rb ? FORM_CMP8_RR : FORM_CMP8_RI)
                  : (rb ? FORM_CMP8_MR : FORM_CMP8_MI);
    case ZYDIS_MNEMONIC_TEST:
        return ra ? (rb ? FORM_TEST8_RR : FORM_TEST8_RI)
                  : (rb ? FORM_TEST8_MR : FORM_TEST8_MI);
    case ZYDIS_MNEMONIC_MOV:
        return ma ? (rb ? FORM_MOV8_MR : FORM_MOV8_MI) : FORM_GENERIC;
    default:
        return FORM_GENERIC;
    }
}

static enum interp_form form_of(const struct interp_insn *in)
{
    const struct interp_operand *a = &in->op[0], *b = &in->op[1];
    if (in->kind == KIND_JCC)
        return FORM_JCC;
    if (in->kind != KIND_PLAIN || in->lock)
        return FORM_GENERIC;
    switch ((ZydisMnemonic)in->mnemonic) {
    case ZYDIS_MNEMONIC_NOP: case ZYDIS_MNEMONIC_ENDBR32:
    case ZYDIS_MNEMONIC_PAUSE: case ZYDIS_MNEMONIC_PREFETCHNTA:
    case ZYDIS_MNEMONIC_PREFETCHT0: case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
        return FORM_NOP;
    default:
        break;
    }
    if (in->operand_width == 8)
        return form8_of(in);
    if (in->operand_width != 32)
        return FORM_GENERIC;
    int k = alu_index((ZydisMnemonic)in->mnemonic);
    if (k >= 0 && in->visible == 2 && (is_reg32(a) || is_mem(a, 32))) {
        if (is_reg32(a))
            return is_reg32(b)     ? FORM_ALU_RR + k
                   : is_imm(b)     ? FORM_ALU_RI + k
                   : is_mem(b, 32) ? FORM_ALU_RM + k
                                   : FORM_GENERIC;
        return is_reg32(b) ? FORM_ALU_MR + k
               : is_imm(b) ? FORM_ALU_MI + k
                           : FORM_GENERIC;
    }
    switch ((ZydisMnemonic)in->mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
        if (is_reg32(a) && is_reg32(b))
            return FORM_MOV_RR;
        if (is_reg32(a) && is_imm(b))
            return FORM_MOV_RI;
        if (is_reg32(a) && is_mem(b, 32))
            return FORM_MOV_RM;
        if (is_mem(a, 32) && is_reg32(b))
            return FORM_MOV_MR;
        if (is_mem(a, 32) && is_imm(b))
            return FORM_MOV_MI;
        return FORM_GENERIC;
    case ZYDIS_MNEMONIC_MOVZX:
    case ZYDIS_MNEMONIC_MOVSX: {
        bool zx = in->mnemonic == ZYDIS_MNEMONIC_MOVZX;
        if (is_reg32(a) && is_reg8(b))
            return zx ? FORM_MOVZX_R8 : FORM_MOVSX_R8;
        if (!is_reg32(a) || !(is_mem(b, 8) || is_mem(b, 16)))
            return FORM_GENERIC;
        return zx ? FORM_MOVZX_RM : FORM_MOVSX_RM;
    }
    case ZYDIS_MNEMONIC_SHL: /* (a count of 1 is a hidden immediate) */
        return is_reg32(a) && is_imm(b) ? FORM_SHL_RI : FORM_GENERIC;
    case ZYDIS_MNEMONIC_SHR:
        return is_reg32(a) && is_imm(b) ? FORM_SHR_RI : FORM_GENERIC;
    case ZYDIS_MNEMONIC_SAR:
        return is_reg32(a) && is_imm(b) ? FORM_SAR_RI : FORM_GENERIC;
    case ZYDIS_MNEMONIC_LEA:
        return is_reg32(a) ? FORM_LEA : FORM_GENERIC;
    case ZYDIS_MNEMONIC_PUSH:
        return is_reg32(a) ? FORM_PUSH_R : is_imm(a) ? FORM_PUSH_I
               : is_mem(a, 32) ? FORM_PUSH_M : FORM_GENERIC;
    case ZYDIS_MNEMONIC_POP:
        return is_reg32(a) ? FORM_POP_R : FORM_GENERIC;
    case ZYDIS_MNEMONIC_INC:
        return is_reg32(a) ? FORM_INC_R : FORM_GENERIC;
    case ZYDIS_MNEMONIC_DEC:
        return is_reg32(a) ? FORM_DEC_R : FORM_GENERIC;
    case ZYDIS_MNEMONIC_JMP:
        return in->relative ? FORM_JMP : FORM_GENERIC;
    case ZYDIS_MNEMONIC_CALL:
        return in->relative ? FORM_CALL : FORM_GENERIC;
    case ZYDIS_MNEMONIC_RET:
        return in->visible == 0 ? FORM_RET : FORM_GENERIC;
    default:
        return FORM_GENERIC;
    }
}

/* A 32-bit general-purpose register's enum cpu_reg, else INTERP_NO_GPR. */
static uint8_t gpr32(uint16_t r)
{
    return r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_EDI
               ? (uint8_t)(r - ZYDIS_REGISTER_EAX)
               : INTERP_NO_GPR;
}

/* A register operand's gpr field: gpr32's, or an 8-bit register's. */
static uint8_t gpr_field(uint16_t r)
{
    if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BH)
        return (uint8_t)(INTERP_GPR8 + (r - ZYDIS_REGISTER_AL));
    return gpr32(r);
}

void interp_form_choose(struct interp_insn *in)
{
    for (unsigned k = 0; k < INTERP_MAX_OPS; k++) {
        struct interp_operand *o = &in->op[k];
        o->gpr = o->index_gpr = INTERP_NO_GPR;
        o->seg = INTERP_NO_SEG;
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            o->gpr = gpr_field(o->reg);
        } else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
            /* (32-bit addressing only: interp_decoded) */
            o->gpr = gpr32(o->reg);
            o->index_gpr = gpr32(o->index);
            if (o->segment == ZYDIS_REGISTER_FS)
                o->seg = SEG_FS;
            else if (o->segment == ZYDIS_REGISTER_GS)
                o->seg = SEG_GS;
        }
    }
    in->form = (uint8_t)form_of(in);
}

/* ---- running ---- */

/* An 8-bit register's value (gpr: INTERP_GPR8 + AL CL DL BL AH CH DH BH). */
static inline uint32_t form_r8(const struct cpu_state *s, unsigned gpr)
{
    unsigned i = gpr - INTERP_GPR8;
    return i < 4 ? s->gpr[i] & 0xff : (s->gpr[i - 4] >> 8) & 0xff;
}

/* The operation of each ALU form (FORM_ALU_RR's order: ADD SUB AND OR XOR
 * CMP TEST; k < 5 writes its result). */
static const enum alu_op alu_of[7] = {OP_ADD, OP_SUB, OP_AND, OP_OR,
                                      OP_XOR, OP_SUB, OP_AND};

/* Into the register d (CMP and TEST write only the flags). */
static inline __attribute__((always_inline)) void
form_alu(struct cpu_state *s, unsigned k, unsigned d, uint32_t a, uint32_t b)
{
    uint32_t r = alu_compute(alu_of[k], a, b, 0);
    if (k < 5)
        s->gpr[d] = r;
    alu_flags(s, alu_of[k], a, b, 0, r, 32);
}

/* Into memory at addr: read, write back, then the flags. */
static inline __attribute__((always_inline)) void
form_alu_mem(struct cpu_state *s, unsigned k, uint32_t addr, uint32_t b)
{
    uint32_t a = mem_read(s, addr, 32);
    uint32_t r = alu_compute(alu_of[k], a, b, 0);
    if (k < 5)
        mem_write(s, addr, 32, r);
    alu_flags(s, alu_of[k], a, b, 0, r, 32);
}

/* 8-bit CMP (k 5) and TEST (k 6). */
static inline __attribute__((always_inline)) void
form_alu8(struct cpu_state *s, unsigned k, uint32_t a, uint32_t b)
{
    alu_flags(s, alu_of[k], a, b, 0, alu_compute(alu_of[k], a, b, 0) & 0xff,
              8);
}

static inline __attribute__((always_inline)) void
form_shift(struct cpu_state *s, enum shift_kind k, unsigned d, uint32_t count)
{
    unsigned c = count & 31;
    uint32_t res, cf, of;
    shift_calc(k, s->gpr[d], c, 32, &res, &cf, &of);
    s->gpr[d] = res;
    shift_flags(s, c, res, cf, of, 32);
}

static inline __attribute__((always_inline)) int
form_step(struct cpu_state *s, const struct interp_insn *in,
          const struct interp_calls *calls)
{
    const struct interp_operand *a = &in->op[0], *b = &in->op[1];
    uint32_t *g = s->gpr;
    switch (in->form) {
    case FORM_MOV_RR: g[a->gpr] = g[b->gpr]; return INTERP_NEXT;
    case FORM_MOV_RI: g[a->gpr] = b->imm; return INTERP_NEXT;
    case FORM_MOV_RM:
        g[a->gpr] = mem_read(s, op_addr(s, b), 32);
        return INTERP_NEXT;
    case FORM_MOV_MR:
        mem_write(s, op_addr(s, a), 32, g[b->gpr]);
        return INTERP_NEXT;
    case FORM_MOV_MI:
        mem_write(s, op_addr(s, a), 32, b->imm);
        return INTERP_NEXT;
    case FORM_MOVZX_RM:
        g[a->gpr] = mem_read(s, op_addr(s, b), b->size);
        return INTERP_NEXT;
    case FORM_MOVSX_RM:
        g[a->gpr] = (uint32_t)sext(mem_read(s, op_addr(s, b), b->size),
                                   b->size);
        return INTERP_NEXT;
    case FORM_LEA: g[a->gpr] = op_ea(s, b); return INTERP_NEXT;
    case FORM_PUSH_R: push(s, 32, g[a->gpr]); return INTERP_NEXT;
    case FORM_PUSH_I: push(s, 32, a->imm); return INTERP_NEXT;
    case FORM_PUSH_M: /* (the operand is read with ESP as it was) */
        push(s, 32, mem_read(s, op_addr(s, a), 32));
        return INTERP_NEXT;
    case FORM_POP_R:
        g[a->gpr] = pop(s, 32); /* (POP ESP: the value read) */
        return INTERP_NEXT;
    case FORM_INC_R:
    case FORM_DEC_R: {
        uint8_t cf = s->flag[FLAG_CF];
        uint32_t x = g[a->gpr];
        if (in->form == FORM_INC_R) {
            g[a->gpr] = x + 1;
            flags_add(s, x, 1, 0, x + 1, 32);
        } else {
            g[a->gpr] = x - 1;
            flags_sub(s, x, 1, 0, x - 1, 32);
        }
        s->flag[FLAG_CF] = cf;
        return INTERP_NEXT;
    }
#define ALU(k)                                                                 \
    case FORM_ALU_RR + k:                                                      \
        form_alu(s, k, a->gpr, g[a->gpr], g[b->gpr]);                          \
        return INTERP_NEXT;                                                    \
    case FORM_ALU_RI + k:                                                      \
        form_alu(s, k, a->gpr, g[a->gpr], b->imm);                             \
        return INTERP_NEXT;                                                    \
    case FORM_ALU_RM + k:                                                      \
        form_alu(s, k, a->gpr, g[a->gpr], mem_read(s, op_addr(s, b), 32));     \
        return INTERP_NEXT;
    ALU(0) ALU(1) ALU(2) ALU(3) ALU(4) ALU(5) ALU(6)
#undef ALU
#define ALU_MEM(k)                                                             \
    case FORM_ALU_MR + k:                                                      \
        form_alu_mem(s, k, op_addr(s, a), g[b->gpr]);                          \
        return INTERP_NEXT;                                                    \
    case FORM_ALU_MI + k:                                                      \
        form_alu_mem(s, k, op_addr(s, a), b->imm);                             \
        return INTERP_NEXT;
    ALU_MEM(0) ALU_MEM(1) ALU_MEM(2) ALU_MEM(3) ALU_MEM(4) ALU_MEM(5)
    ALU_MEM(6)
#undef ALU_MEM
#define ALU8(form, k)                                                          \
    case form##_RR:                                                            \
        form_alu8(s, k, form_r8(s, a->gpr), form_r8(s, b->gpr));               \
        return INTERP_NEXT;                                                    \
    case form##_RI:                                                            \
        form_alu8(s, k, form_r8(s, a->gpr), b->imm & 0xff);                    \
        return INTERP_NEXT;                                                    \
    case form##_MR:                                                            \
        form_alu8(s, k, mem_read(s, op_addr(s, a), 8), form_r8(s, b->gpr));    \
        return INTERP_NEXT;                                                    \
    case form##_MI:                                                            \
        form_alu8(s, k, mem_read(s, op_addr(s, a), 8), b->imm & 0xff);         \
        return INTERP_NEXT;
    ALU8(FORM_CMP8, 5) ALU8(FORM_TEST8, 6)
#undef ALU8
    case FORM_MOV8_MR:
        mem_write(s, op_addr(s, a), 8, form_r8(s, b->gpr));
        return INTERP_NEXT;
    case FORM_MOV8_MI:
        mem_write(s, op_addr(s, a), 8, b->imm);
        return INTERP_NEXT;
    case FORM_MOVZX_R8: g[a->gpr] = form_r8(s, b->gpr); return INTERP_NEXT;
    case FORM_MOVSX_R8:
        g[a->gpr] = (uint32_t)sext(form_r8(s, b->gpr), 8);
        return INTERP_NEXT;
    case FORM_SHL_RI:
        form_shift(s, SHIFT_SHL, a->gpr, b->imm);
        return INTERP_NEXT;
    case FORM_SHR_RI:
        form_shift(s, SHIFT_SHR, a->gpr, b->imm);
        return INTERP_NEXT;
    case FORM_SAR_RI:
        form_shift(s, SHIFT_SAR, a->gpr, b->imm);
        return INTERP_NEXT;
    case FORM_NOP: return INTERP_NEXT;
    case FORM_JCC:
        s->eip = cond(s, in->cc) ? in->target : in->pc + in->length;
        return CPU_EXIT_JUMP;
    case FORM_JMP:
        s->eip = in->target;
        return CPU_EXIT_JUMP;
    case FORM_CALL:
        push(s, 32, in->pc + in->length);
        s->eip = in->target;
        return CPU_EXIT_JUMP;
    case FORM_RET:
        s->eip = pop(s, 32);
        return CPU_EXIT_JUMP;
    default:
        return interp_exec(s, in, calls);
    }
}

int interp_run(struct cpu_state *s, const struct interp_insn *in,
               unsigned n, const struct interp_calls *calls, unsigned *ran)
{
    for (unsigned j = 0; j < n; j++) {
        /* (Volatile: the pc a fault in this instruction names.) */
        *(volatile uint32_t *)&s->insn_pc = in[j].pc;
        int r = form_step(s, &in[j], calls);
        if (r != INTERP_NEXT) {
            *ran = j + 1;
            return r;
        }
    }
    *ran = n;
    return INTERP_NEXT;
}
