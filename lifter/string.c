/* String instructions: movs stos lods cmps scas (byte, word, dword), alone
 * or repeated by REP / REPE / REPNE, with 32- or 16-bit addressing (67
 * prefix: SI, DI and CX instead of ESI, EDI and ECX).  The source DS:ESI
 * takes a segment override, the destination ES:EDI never does.  F2 before
 * movs, stos or lods repeats them like F3, as Intel processors do.  The
 * SSE2 movsd and cmpsd share Zydis mnemonics and are left to their class.
 *
 * A repeated instruction is a loop inside the unit: ECX, ESI and EDI (and
 * the flags of cmps/scas) are updated each time round, and ECX = 0 does
 * nothing at all, flags included.  REP MOVS and REP STOS going forwards
 * (DF = 0, 32-bit addressing) copy or fill the whole range at once when
 * that gives exactly what the element loop gives: a copy whose
 * destination starts inside its source (dst = src + 1 ...) replicates
 * elements on hardware and always takes the loop, a word or dword fill
 * is a byte fill only when its bytes agree.  The block operations are
 * calls to the host's memmove and (as llvm.memset) memset, which the JIT
 * resolves from the r386 process.
 *
 * Where r386 differs from hardware:
 * - once started, a repeated instruction runs to its end: nothing (a
 *   signal, say) is taken between two iterations;
 * - a fault part way through does not show in ECX/ESI/EDI how far it got
 *   (registers reach the CPU state only at unit exits, as everywhere in
 *   the lifter). */
#include "lift_internal.h"

enum str_op { STR_MOVS, STR_STOS, STR_LODS, STR_CMPS, STR_SCAS };

/* How to repeat: once, while ECX != 0, and also while ZF is 1 / 0. */
enum str_rep { REP_NONE, REP_ALL, REP_WHILE_EQ, REP_WHILE_NE };

struct str_insn {
    enum str_op op;
    unsigned w;        /* element bits: 8, 16, 32 */
    unsigned aw;       /* address bits: 16 or 32 */
    ZydisRegister seg; /* segment of the source (DS unless overridden) */
    LLVMValueRef step; /* +-w/8 in aw bits, by DF */
};

/* The linear address an index register (ESI/EDI or SI/DI) points at. */
static LLVMValueRef str_addr(struct lift_ctx *lc, const struct str_insn *s,
                             enum cpu_reg r)
{
    LLVMValueRef a = lift_zext(lc, lift_gpr_get_w(lc, r, s->aw), 32);
    return r == REG_ESI ? lift_seg_add(lc, s->seg, a) : a;
}

static void str_advance(struct lift_ctx *lc, const struct str_insn *s,
                        enum cpu_reg r)
{
    LLVMValueRef v = lift_gpr_get_w(lc, r, s->aw);
    lift_gpr_set_w(lc, r, s->aw, LLVMBuildAdd(lc->b, v, s->step, ""));
}

/* One element of the instruction. */
static void str_step(struct lift_ctx *lc, const struct str_insn *s)
{
    LLVMValueRef a, b;
    switch (s->op) {
    case STR_MOVS:
        a = lift_load(lc, str_addr(lc, s, REG_ESI), s->w);
        lift_store(lc, str_addr(lc, s, REG_EDI), a);
        str_advance(lc, s, REG_ESI);
        str_advance(lc, s, REG_EDI);
        break;
    case STR_STOS:
        lift_store(lc, str_addr(lc, s, REG_EDI),
                   lift_gpr_get_w(lc, REG_EAX, s->w));
        str_advance(lc, s, REG_EDI);
        break;
    case STR_LODS:
        lift_gpr_set_w(lc, REG_EAX, s->w,
                       lift_load(lc, str_addr(lc, s, REG_ESI), s->w));
        str_advance(lc, s, REG_ESI);
        break;
    case STR_CMPS: /* flags of [ESI] - [EDI] */
        a = lift_load(lc, str_addr(lc, s, REG_ESI), s->w);
        b = lift_load(lc, str_addr(lc, s, REG_EDI), s->w);
        lift_flags_sub(lc, a, b, NULL, LLVMBuildSub(lc->b, a, b, ""));
        str_advance(lc, s, REG_ESI);
        str_advance(lc, s, REG_EDI);
        break;
    case STR_SCAS: /* flags of accumulator - [EDI] */
        a = lift_gpr_get_w(lc, REG_EAX, s->w);
        b = lift_load(lc, str_addr(lc, s, REG_EDI), s->w);
        lift_flags_sub(lc, a, b, NULL, LLVMBuildSub(lc->b, a, b, ""));
        str_advance(lc, s, REG_EDI);
        break;
    }
}

/* Whether [addr, addr + len) stays below 4 GiB (i64 arithmetic). */
static LLVMValueRef no_wrap(struct lift_ctx *lc, LLVMValueRef addr64,
                            LLVMValueRef len64)
{
    LLVMValueRef end = LLVMBuildAdd(lc->b, addr64, len64, "");
    return LLVMBuildICmp(lc->b, LLVMIntULE, end,
                         lift_const(lc, 64, 1ull << 32), "");
}

/* REP MOVS / REP STOS forwards as one memmove / memset, when that is
 * exactly the element loop: emits the test and the block operation, and
 * leaves the builder where the loop must go (the test failed).  The block
 * path ends in done. */
static void str_block(struct lift_ctx *lc, const struct str_insn *s,
                      LLVMBasicBlockRef done)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef count = lift_zext(lc, lift_gpr_get(lc, REG_ECX), 64);
    LLVMValueRef len = LLVMBuildMul(b, count, lift_const(lc, 64, s->w / 8),
                                    "");
    LLVMValueRef dst32 = str_addr(lc, s, REG_EDI);
    LLVMValueRef dst = lift_zext(lc, dst32, 64);
    LLVMValueRef ok = LLVMBuildNot(b, lift_df_get(lc), "");
    ok = LLVMBuildAnd(b, ok, no_wrap(lc, dst, len), "");
    LLVMValueRef src32 = NULL, fill = NULL;
    if (s->op == STR_MOVS) {
        /* Forward element copy == memmove unless dst lies in
         * (src, src + len): there the loop reads what it wrote. */
        src32 = str_addr(lc, s, REG_ESI);
        LLVMValueRef src = lift_zext(lc, src32, 64);
        LLVMValueRef below = LLVMBuildICmp(b, LLVMIntULE, dst, src, "");
        LLVMValueRef past = LLVMBuildICmp(
            b, LLVMIntUGE, LLVMBuildSub(b, dst, src, ""), len, "");
        ok = LLVMBuildAnd(b, ok, no_wrap(lc, src, len), "");
        ok = LLVMBuildAnd(b, ok, LLVMBuildOr(b, below, past, ""), "");
    } else {
        /* A word or dword fill is a byte fill when its bytes agree. */
        LLVMValueRef acc = lift_gpr_get_w(lc, REG_EAX, s->w);
        fill = lift_trunc(lc, acc, 8);
        uint64_t ones = s->w == 32 ? 0x01010101u : s->w == 16 ? 0x0101u : 1;
        LLVMValueRef splat = LLVMBuildMul(b, lift_zext(lc, fill, s->w),
                                          lift_const(lc, s->w, ones), "");
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntEQ, acc, splat, ""),
                          "");
    }
    LLVMBasicBlockRef blk = lift_block(lc, "rep_block");
    LLVMBasicBlockRef loop = lift_block(lc, "rep_loop");
    LLVMBuildCondBr(b, ok, blk, loop);

    LLVMPositionBuilderAtEnd(b, blk);
    /* A fault in memmove/memset is at a host libc pc: the pc, stored. */
    lift_store_insn_pc(lc, lift_i32(lc, lc->pc));
    LLVMValueRef vol = lift_const(lc, 1, 0);
    if (s->op == STR_MOVS) {
        /* memmove itself, not llvm.memmove (the same call in the end),
         * which LLVM's fast instruction selector does not take. */
        LLVMValueRef a[] = {lift_host_addr(lc, dst32),
                            lift_host_addr(lc, src32), len};
        lift_call(lc, "memmove", lc->ptr, a, 3);
    } else {
        LLVMValueRef a[] = {lift_host_addr(lc, dst32), fill, len, vol};
        lift_call(lc, "llvm.memset.p0.i64", LLVMVoidTypeInContext(lc->ctx),
                  a, 4);
    }
    LLVMValueRef len32 = lift_trunc(lc, len, 32);
    if (s->op == STR_MOVS)
        lift_gpr_set(lc, REG_ESI, LLVMBuildAdd(b, lift_gpr_get(lc, REG_ESI),
                                               len32, ""));
    lift_gpr_set(lc, REG_EDI, LLVMBuildAdd(b, lift_gpr_get(lc, REG_EDI),
                                           len32, ""));
    lift_gpr_set(lc, REG_ECX, lift_i32(lc, 0));
    LLVMBuildBr(b, done);

    LLVMPositionBuilderAtEnd(b, loop);
}

/* The repeated instruction: while CX/ECX != 0, one element, CX/ECX - 1,
 * and for REPE/REPNE stop when ZF disagrees. */
static void str_repeat(struct lift_ctx *lc, const struct str_insn *s,
                       enum str_rep rep)
{
    LLVMBuilderRef b = lc->b;
    LLVMBasicBlockRef done = lift_block(lc, "rep_done");
    LLVMBasicBlockRef body = lift_block(lc, "rep_body");
    LLVMValueRef zero = lift_const(lc, s->aw, 0);
    LLVMValueRef count = lift_gpr_get_w(lc, REG_ECX, s->aw);
    LLVMValueRef none = LLVMBuildICmp(b, LLVMIntEQ, count, zero, "");
    if (s->aw == 32 && (s->op == STR_MOVS || s->op == STR_STOS)) {
        LLVMBasicBlockRef test = lift_block(lc, "rep_test");
        LLVMBuildCondBr(b, none, done, test);
        LLVMPositionBuilderAtEnd(b, test);
        str_block(lc, s, done);
        LLVMBuildBr(b, body);
    } else {
        LLVMBuildCondBr(b, none, done, body);
    }

    LLVMPositionBuilderAtEnd(b, body);
    str_step(lc, s);
    count = LLVMBuildSub(b, lift_gpr_get_w(lc, REG_ECX, s->aw),
                         lift_const(lc, s->aw, 1), "");
    lift_gpr_set_w(lc, REG_ECX, s->aw, count);
    LLVMValueRef more = LLVMBuildICmp(b, LLVMIntNE, count, zero, "");
    if (rep == REP_WHILE_EQ || rep == REP_WHILE_NE) {
        LLVMValueRef zf = lift_flag_get(lc, FLAG_ZF);
        if (rep == REP_WHILE_NE)
            zf = LLVMBuildNot(b, zf, "");
        more = LLVMBuildAnd(b, more, zf, "");
    }
    LLVMBuildCondBr(b, more, body, done);

    LLVMPositionBuilderAtEnd(b, done);
}

static bool str_decode(struct lift_ctx *lc, struct str_insn *s)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW:
    case ZYDIS_MNEMONIC_MOVSD:
        s->op = STR_MOVS;
        break;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
    case ZYDIS_MNEMONIC_STOSD:
        s->op = STR_STOS;
        break;
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW:
    case ZYDIS_MNEMONIC_LODSD:
        s->op = STR_LODS;
        break;
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW:
    case ZYDIS_MNEMONIC_CMPSD:
        s->op = STR_CMPS;
        break;
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW:
    case ZYDIS_MNEMONIC_SCASD:
        s->op = STR_SCAS;
        break;
    default:
        return false;
    }
    /* movsd and cmpsd are also SSE2 instructions (0F 10, 0F C2). */
    if (lc->insn->opcode_map != ZYDIS_OPCODE_MAP_DEFAULT)
        return false;
    s->w = lc->insn->operand_width;
    s->aw = lc->insn->address_width;
    s->seg = ZYDIS_REGISTER_DS;
    for (unsigned i = 0; i < lc->insn->operand_count; i++) {
        const ZydisDecodedOperand *op = lift_op(lc, i);
        if (op->type == ZYDIS_OPERAND_TYPE_MEMORY &&
            (op->mem.base == ZYDIS_REGISTER_ESI ||
             op->mem.base == ZYDIS_REGISTER_SI))
            s->seg = op->mem.segment;
    }
    return true;
}

static enum str_rep str_rep_of(struct lift_ctx *lc, enum str_op op)
{
    ZydisInstructionAttributes a = lc->insn->attributes;
    if (op == STR_CMPS || op == STR_SCAS) {
        if (a & ZYDIS_ATTRIB_HAS_REPNE)
            return REP_WHILE_NE;
        if (a & (ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REP))
            return REP_WHILE_EQ;
        return REP_NONE;
    }
    if (a & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
             ZYDIS_ATTRIB_HAS_REPNE))
        return REP_ALL;
    return REP_NONE;
}

bool lift_string(struct lift_ctx *lc)
{
    struct str_insn s;
    if (!str_decode(lc, &s))
        return false;
    uint64_t bytes = s.w / 8, wrap = 1ull << s.aw;
    s.step = LLVMBuildSelect(lc->b, lift_df_get(lc),
                             lift_const(lc, s.aw, wrap - bytes),
                             lift_const(lc, s.aw, bytes), "");
    enum str_rep rep = str_rep_of(lc, s.op);
    if (rep == REP_NONE)
        str_step(lc, &s);
    else
        str_repeat(lc, &s, rep);
    return true;
}
