/* The executor's forms: the common 32-bit instructions run straight from
 * the fields decoding filled in, without interp_exec's walk through the
 * mnemonic and its generic operand accessors (~130 host instructions a
 * guest instruction in a warm `bash -c`).  Each form does what
 * interp_exec does for the instruction -- reads before writes, the same
 * flags -- and anything else is left to it.  Which instructions take a
 * form is decided once, when they are decoded (interp_form_choose), and
 * kept with them in the saved chunks. */
#include "operand.h"

/* ---- choosing ---- */

static bool is_reg32(const struct interp_operand *o)
{
    return o->type == ZYDIS_OPERAND_TYPE_REGISTER && o->gpr != INTERP_NO_GPR;
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

static enum interp_form form_of(const struct interp_insn *in)
{
    const struct interp_operand *a = &in->op[0], *b = &in->op[1];
    if (in->kind == KIND_JCC)
        return FORM_JCC;
    if (in->kind != KIND_PLAIN || in->lock || in->operand_width != 32)
        return FORM_GENERIC;
    int k = alu_index((ZydisMnemonic)in->mnemonic);
    if (k >= 0 && in->visible == 2 && is_reg32(a)) {
        if (is_reg32(b))
            return FORM_ALU_RR + k;
        if (is_imm(b))
            return FORM_ALU_RI + k;
        if (is_mem(b, 32))
            return FORM_ALU_RM + k;
        return FORM_GENERIC;
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
    case ZYDIS_MNEMONIC_MOVSX:
        if (!is_reg32(a) || !(is_mem(b, 8) || is_mem(b, 16)))
            return FORM_GENERIC;
        return in->mnemonic == ZYDIS_MNEMONIC_MOVZX ? FORM_MOVZX_RM
                                                    : FORM_MOVSX_RM;
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

void interp_form_choose(struct interp_insn *in)
{
    for (unsigned k = 0; k < INTERP_MAX_OPS; k++) {
        struct interp_operand *o = &in->op[k];
        o->gpr = o->index_gpr = INTERP_NO_GPR;
        o->seg = INTERP_NO_SEG;
        if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            o->gpr = gpr32(o->reg);
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

/* A memory operand's offset (LEA's result) and its address. */
static inline uint32_t form_ea(const struct cpu_state *s,
                               const struct interp_operand *o)
{
    uint32_t a = o->imm;
    if (o->gpr != INTERP_NO_GPR)
        a += s->gpr[o->gpr];
    if (o->index_gpr != INTERP_NO_GPR)
        a += s->gpr[o->index_gpr] * o->scale;
    return a;
}

static inline uint32_t form_addr(const struct cpu_state *s,
                                 const struct interp_operand *o)
{
    uint32_t a = form_ea(s, o);
    if (o->seg != INTERP_NO_SEG)
        a += s->seg_base[o->seg];
    return a;
}

/* ADD SUB AND OR XOR CMP TEST (FORM_ALU_RR's order) of a and b into the
 * register d, flags as alu() sets them (exec.c). */
static inline __attribute__((always_inline)) void
form_alu(struct cpu_state *s, unsigned k, unsigned d, uint32_t a, uint32_t b)
{
    uint32_t r;
    switch (k) {
    case 0: r = a + b; flags_add(s, a, b, 0, r, 32); break;
    case 1: case 5: r = a - b; flags_sub(s, a, b, 0, r, 32); break;
    case 2: case 6: r = a & b; flags_logic(s, r, 32); break;
    case 3: r = a | b; flags_logic(s, r, 32); break;
    default: r = a ^ b; flags_logic(s, r, 32); break;
    }
    if (k < 5)
        s->gpr[d] = r;
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
        g[a->gpr] = mem_read(s, form_addr(s, b), 32);
        return INTERP_NEXT;
    case FORM_MOV_MR:
        mem_write(s, form_addr(s, a), 32, g[b->gpr]);
        return INTERP_NEXT;
    case FORM_MOV_MI:
        mem_write(s, form_addr(s, a), 32, b->imm);
        return INTERP_NEXT;
    case FORM_MOVZX_RM:
        g[a->gpr] = mem_read(s, form_addr(s, b), b->size);
        return INTERP_NEXT;
    case FORM_MOVSX_RM:
        g[a->gpr] = (uint32_t)sext(mem_read(s, form_addr(s, b), b->size),
                                   b->size);
        return INTERP_NEXT;
    case FORM_LEA: g[a->gpr] = form_ea(s, b); return INTERP_NEXT;
    case FORM_PUSH_R: {
        uint32_t sp = g[REG_ESP] - 4;
        mem_write(s, sp, 32, g[a->gpr]);
        g[REG_ESP] = sp;
        return INTERP_NEXT;
    }
    case FORM_PUSH_I: {
        uint32_t sp = g[REG_ESP] - 4;
        mem_write(s, sp, 32, a->imm);
        g[REG_ESP] = sp;
        return INTERP_NEXT;
    }
    case FORM_PUSH_M: {
        uint32_t v = mem_read(s, form_addr(s, a), 32);
        uint32_t sp = g[REG_ESP] - 4;
        mem_write(s, sp, 32, v);
        g[REG_ESP] = sp;
        return INTERP_NEXT;
    }
    case FORM_POP_R: {
        uint32_t sp = g[REG_ESP];
        uint32_t v = mem_read(s, sp, 32);
        g[REG_ESP] = sp + 4;
        g[a->gpr] = v; /* (POP ESP: the value read) */
        return INTERP_NEXT;
    }
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
        form_alu(s, k, a->gpr, g[a->gpr], mem_read(s, form_addr(s, b), 32)); \
        return INTERP_NEXT;
    ALU(0) ALU(1) ALU(2) ALU(3) ALU(4) ALU(5) ALU(6)
#undef ALU
    case FORM_JCC:
        s->eip = cond(s, in->cc) ? in->target : in->pc + in->length;
        return CPU_EXIT_JUMP;
    case FORM_JMP:
        s->eip = in->target;
        return CPU_EXIT_JUMP;
    case FORM_CALL: {
        uint32_t sp = g[REG_ESP] - 4;
        mem_write(s, sp, 32, in->pc + in->length);
        g[REG_ESP] = sp;
        s->eip = in->target;
        return CPU_EXIT_JUMP;
    }
    case FORM_RET: {
        uint32_t sp = g[REG_ESP];
        uint32_t t = mem_read(s, sp, 32);
        g[REG_ESP] = sp + 4;
        s->eip = t;
        return CPU_EXIT_JUMP;
    }
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
