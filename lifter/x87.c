/* The x87 FPU: the register stack, loads and stores, constants, FXCH,
 * FCMOVcc, FFREE, FINCSTP/FDECSTP, FCHS/FABS and the control
 * instructions.  Arithmetic and comparisons are in x87_arith.c, the
 * environment (FNSTENV, FNSAVE, FXSAVE and their loads) in x87_env.c.
 *
 * The model.  The eight physical registers (80-bit values), TOP, a
 * per-register empty bit, the control word and the status word live in
 * the CPU state (r386/cpu.h), and translated code keeps them there.  The
 * lifted code does the stack's bookkeeping in plain integer code: TOP,
 * the empty bits, stack overflow and underflow, moves of 80-bit values as
 * bits.  Whatever computes or converts (arithmetic, comparisons, loads
 * and stores of float, double and integers, rounding, transcendental
 * functions) is one call to the x87 helper (LIFTER_HELPER_FPU), which runs
 * the very x87 instruction on the host's own x87 with the guest's
 * rounding and precision control: results, C0-C3 and exception flags are
 * an x87's, exact, with no software float.
 *
 * Why a call rather than LLVM's x86_fp80 arithmetic inline: the values
 * live in the CPU state between instructions, so inline code saves only
 * the call at run time (a loop of x87 arithmetic ran ~1.3x faster inline),
 * while every x86_fp80 operation sends its block through LLVM's
 * SelectionDAG instead of FastISel (0.1-0.2 ms per block at -O0): the
 * x87-heavy units of a printf/libm test compiled 3.3x slower inline.  With
 * integer code and calls only, x87 code compiles as fast per IR line as
 * integer code.  The optimising tier, where compile time matters less,
 * computes inside the unit instead (x87_inline.c: a matrix product in
 * double ran 2x faster warm).
 *
 * Exception flags: the host x87 runs every guest operation with all
 * exceptions masked and accumulates the flags they raise in its own status
 * word, on the guest thread's host thread; FNSTSW (and FNSTENV, FNSAVE,
 * FXSAVE) merge them into the guest's status word; FNCLEX, FNINIT and the
 * environment loads clear them.  Stack faults and the flags the lifter
 * decides itself are set in fpu_sw.
 *
 * Where r386 knowingly differs from an x87:
 * - unmasked exceptions never trap (no SIGFPE): the masked response is
 *   given, and ES/B read as set in FNSTSW while an unmasked flag is up;
 * - a stack overflow or underflow always gets the masked response;
 * - FNSTENV/FNSAVE/FXSAVE store 0 for the last instruction and operand
 *   pointers and the last opcode;
 * - the 16-bit (operand-size prefixed) FNSTENV/FLDENV/FNSAVE/FRSTOR
 *   formats are not implemented (SIGILL);
 * - the exception flags held by the host x87 are not carried into a new
 *   guest thread or across exec (the guest's fpu_sw is);
 * - results of the transcendental instructions are the host CPU's, which
 *   can differ in the last bit between CPU vendors (as between real
 *   machines). */
#include <assert.h>

#include "x87.h"

/* ---- 80-bit values ---- */

struct x87_raw x87_raw_const(struct lift_ctx *lc, uint16_t se, uint64_t sig)
{
    return (struct x87_raw){lift_const(lc, 64, sig), lift_const(lc, 16, se),
                            NULL};
}

struct x87_raw x87_raw_indefinite(struct lift_ctx *lc)
{
    return x87_raw_const(lc, 0xffff, 0xc000000000000000ull);
}

void x87_raw_parts(struct lift_ctx *lc, struct x87_raw *v)
{
    if (v->sig)
        return;
    LLVMValueRef i80 = LLVMBuildBitCast(lc->b, v->f80, lift_int_type(lc, 80), "");
    v->sig = lift_trunc(lc, i80, 64);
    v->se = lift_trunc(
        lc, LLVMBuildLShr(lc->b, i80, lift_const(lc, 80, 64), ""), 16);
}

LLVMValueRef x87_raw_f80(struct lift_ctx *lc, struct x87_raw v)
{
    if (v.f80)
        return v.f80;
    LLVMValueRef i80 = LLVMBuildOr(
        lc->b, lift_zext(lc, v.sig, 80),
        LLVMBuildShl(lc->b, lift_zext(lc, v.se, 80), lift_const(lc, 80, 64),
                     ""),
        "");
    return LLVMBuildBitCast(lc->b, i80, LLVMX86FP80TypeInContext(lc->ctx), "");
}

struct x87_raw x87_raw_select(struct lift_ctx *lc, LLVMValueRef cond1,
                              struct x87_raw a, struct x87_raw b)
{
    if (a.f80 || b.f80)
        return (struct x87_raw){
            NULL, NULL,
            LLVMBuildSelect(lc->b, cond1, x87_raw_f80(lc, a),
                            x87_raw_f80(lc, b), "")};
    return (struct x87_raw){LLVMBuildSelect(lc->b, cond1, a.sig, b.sig, ""),
                            LLVMBuildSelect(lc->b, cond1, a.se, b.se, ""),
                            NULL};
}

static LLVMValueRef byte_ptr(struct lift_ctx *lc, LLVMValueRef p,
                             unsigned off)
{
    LLVMValueRef o = lift_const(lc, 64, off);
    return LLVMBuildGEP2(lc->b, lc->i8, p, &o, 1, "");
}

struct x87_raw x87_raw_load(struct lift_ctx *lc, LLVMValueRef p)
{
    LLVMValueRef sig = LLVMBuildLoad2(lc->b, lc->i64, p, "");
    LLVMValueRef se = LLVMBuildLoad2(lc->b, lc->i16, byte_ptr(lc, p, 8), "");
    LLVMSetAlignment(sig, 4);
    return (struct x87_raw){sig, se, NULL};
}

void x87_raw_store(struct lift_ctx *lc, LLVMValueRef p, struct x87_raw v)
{
    x87_raw_parts(lc, &v);
    LLVMSetAlignment(LLVMBuildStore(lc->b, v.sig, p), 4);
    LLVMBuildStore(lc->b, v.se, byte_ptr(lc, p, 8));
}

struct x87_raw x87_raw_load_guest(struct lift_ctx *lc, LLVMValueRef addr32)
{
    LLVMValueRef sig = lift_load(lc, addr32, 64);
    LLVMValueRef se = lift_load(
        lc, LLVMBuildAdd(lc->b, addr32, lift_i32(lc, 8), ""), 16);
    return (struct x87_raw){sig, se, NULL};
}

void x87_raw_store_guest(struct lift_ctx *lc, LLVMValueRef addr32,
                         struct x87_raw v)
{
    x87_raw_parts(lc, &v);
    lift_store(lc, addr32, v.sig);
    lift_store(lc, LLVMBuildAdd(lc->b, addr32, lift_i32(lc, 8), ""), v.se);
}

/* ---- the x87 helper ---- */

LLVMValueRef x87_tmp_ptr(struct lift_ctx *lc, unsigned k)
{
    return lift_state_ptr(lc, CPU_OFF_FPU_TMP + 16 * k);
}

static LLVMValueRef call_fpu(struct lift_ctx *lc, LLVMValueRef op,
                             LLVMValueRef a, LLVMValueRef b, LLVMValueRef bits)
{
    LLVMValueRef null = LLVMConstPointerNull(lc->ptr);
    LLVMValueRef args[5] = {lc->state, op, a ? a : null, b ? b : null,
                            bits ? bits : lift_const(lc, 64, 0)};
    return lift_call(lc, LIFTER_HELPER_FPU, lc->i64, args, 5);
}

LLVMValueRef x87_call(struct lift_ctx *lc, LLVMValueRef op, LLVMValueRef a,
                      LLVMValueRef b, LLVMValueRef bits)
{
    /* The helper reads and writes only the x87 part of the state, so the
     * registers and flags held in SSA stay where they are (unlike
     * lift_call_helper, which writes them back first); with the x87
     * cache, its operands go through fpu_tmp (x87c_st_ptr). */
    bool cached = x87_cached(lc);
    if (cached)
        x87c_call_begin(lc);
    LLVMValueRef r = call_fpu(lc, op, a, b, bits);
    if (cached)
        x87c_call_end(lc);
    return r;
}

/* The operations on the host x87's own exception flags, which leave the
 * state alone. */
static LLVMValueRef host_call(struct lift_ctx *lc, uint32_t op)
{
    return call_fpu(lc, lift_i32(lc, op), NULL, NULL, NULL);
}

LLVMValueRef x87_op(struct lift_ctx *lc, uint32_t op, LLVMValueRef empty1)
{
    return LLVMBuildSelect(lc->b, empty1, lift_i32(lc, op | LIFTER_FPU_EMPTY),
                           lift_i32(lc, op), "");
}

void x87_host_clear(struct lift_ctx *lc)
{
    host_call(lc, LIFTER_FPU_EXC_CLEAR);
}

/* ---- control and status words ---- */

static LLVMValueRef load16(struct lift_ctx *lc, unsigned off)
{
    return LLVMBuildLoad2(lc->b, lc->i16, lift_state_ptr(lc, off), "");
}

static LLVMValueRef c16(struct lift_ctx *lc, uint16_t v)
{
    return lift_const(lc, 16, v);
}

LLVMValueRef x87_cw(struct lift_ctx *lc)
{
    if (x87_cached(lc))
        return x87c_word(lc, false);
    return load16(lc, CPU_OFF_FPU_CW);
}

void x87_set_cw(struct lift_ctx *lc, LLVMValueRef v16)
{
    if (x87_cached(lc))
        x87c_set_word(lc, false, v16);
    else
        LLVMBuildStore(lc->b, v16, lift_state_ptr(lc, CPU_OFF_FPU_CW));
}

static LLVMValueRef sw_get(struct lift_ctx *lc)
{
    if (x87_cached(lc))
        return x87c_word(lc, true);
    return load16(lc, CPU_OFF_FPU_SW);
}

void x87_sw_update(struct lift_ctx *lc, uint16_t clear, LLVMValueRef set)
{
    LLVMValueRef sw = sw_get(lc);
    if (clear)
        sw = LLVMBuildAnd(lc->b, sw, c16(lc, (uint16_t)~clear), "");
    if (set)
        sw = LLVMBuildOr(lc->b, sw, set, "");
    if (x87_cached(lc))
        x87c_set_word(lc, true, sw);
    else
        LLVMBuildStore(lc->b, sw, lift_state_ptr(lc, CPU_OFF_FPU_SW));
}

void x87_set_cc(struct lift_ctx *lc, LLVMValueRef c0, LLVMValueRef c1,
                LLVMValueRef c2, LLVMValueRef c3)
{
    const LLVMValueRef c[4] = {c0, c1, c2, c3};
    static const uint16_t bit[4] = {FPU_C0, FPU_C1, FPU_C2, FPU_C3};
    uint16_t clear = 0;
    LLVMValueRef set = c16(lc, 0);
    for (int i = 0; i < 4; i++) {
        if (!c[i])
            continue;
        clear |= bit[i];
        set = LLVMBuildOr(lc->b, set,
                          LLVMBuildSelect(lc->b, c[i], c16(lc, bit[i]),
                                          c16(lc, 0), ""),
                          "");
    }
    x87_sw_update(lc, clear, set);
}

LLVMValueRef x87_status_word(struct lift_ctx *lc)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef host = lift_trunc(lc, host_call(lc, LIFTER_FPU_EXC_GET), 16);
    LLVMValueRef sw = LLVMBuildOr(b, sw_get(lc), host, "");
    /* ES (and B): an exception flag is up whose mask is clear. */
    LLVMValueRef unmasked = LLVMBuildAnd(
        b, LLVMBuildAnd(b, sw, LLVMBuildNot(b, x87_cw(lc), ""), ""),
        c16(lc, FPU_EXC), "");
    LLVMValueRef es = LLVMBuildSelect(
        b, LLVMBuildICmp(b, LLVMIntNE, unmasked, c16(lc, 0), ""),
        c16(lc, FPU_ES | FPU_B), c16(lc, 0), "");
    sw = LLVMBuildAnd(b, sw, c16(lc, (uint16_t)~(FPU_ES | FPU_B)), "");
    LLVMValueRef top = LLVMBuildShl(b, lift_trunc(lc, x87_top(lc), 16),
                                    c16(lc, FPU_TOP_SHIFT), "");
    return LLVMBuildOr(b, LLVMBuildOr(b, sw, es, ""), top, "");
}

/* ---- the register stack ---- */

LLVMValueRef x87_top(struct lift_ctx *lc)
{
    if (x87_cached(lc))
        return x87c_top(lc);
    LLVMValueRef t = LLVMBuildLoad2(lc->b, lc->i8,
                                    lift_state_ptr(lc, CPU_OFF_FPU_TOP), "");
    return lift_zext(lc, t, 32);
}

void x87_set_top(struct lift_ctx *lc, LLVMValueRef top32)
{
    /* (the cache moves TOP statically: x87c_move) */
    assert(!x87_cached(lc));
    LLVMValueRef t = LLVMBuildAnd(lc->b, top32, lift_i32(lc, 7), "");
    LLVMBuildStore(lc->b, lift_trunc(lc, t, 8),
                   lift_state_ptr(lc, CPU_OFF_FPU_TOP));
}

LLVMValueRef x87_phys(struct lift_ctx *lc, LLVMValueRef top32, unsigned i)
{
    LLVMValueRef p = LLVMBuildAdd(lc->b, top32, lift_i32(lc, i), "");
    return LLVMBuildAnd(lc->b, p, lift_i32(lc, 7), "");
}

LLVMValueRef x87_reg_ptr(struct lift_ctx *lc, LLVMValueRef phys32)
{
    LLVMValueRef off = LLVMBuildAdd(
        lc->b, LLVMBuildMul(lc->b, phys32, lift_i32(lc, 16), ""),
        lift_i32(lc, CPU_OFF_FPU_REG), "");
    off = lift_zext(lc, off, 64);
    return LLVMBuildGEP2(lc->b, lc->i8, lc->state, &off, 1, "");
}

LLVMValueRef x87_empty_ptr(struct lift_ctx *lc, LLVMValueRef phys32)
{
    LLVMValueRef off = lift_zext(
        lc, LLVMBuildAdd(lc->b, phys32, lift_i32(lc, CPU_OFF_FPU_EMPTY), ""),
        64);
    return LLVMBuildGEP2(lc->b, lc->i8, lc->state, &off, 1, "");
}

LLVMValueRef x87_st_ptr(struct lift_ctx *lc, unsigned i)
{
    if (x87_cached(lc))
        return x87c_st_ptr(lc, i);
    return x87_reg_ptr(lc, x87_phys(lc, x87_top(lc), i));
}

static LLVMValueRef phys_empty(struct lift_ctx *lc, LLVMValueRef phys32)
{
    LLVMValueRef e =
        LLVMBuildLoad2(lc->b, lc->i8, x87_empty_ptr(lc, phys32), "");
    return LLVMBuildICmp(lc->b, LLVMIntNE, e, lift_const(lc, 8, 0), "");
}

LLVMValueRef x87_is_empty(struct lift_ctx *lc, unsigned i)
{
    if (x87_cached(lc))
        return x87c_is_empty(lc, i);
    return phys_empty(lc, x87_phys(lc, x87_top(lc), i));
}

static void set_empty(struct lift_ctx *lc, LLVMValueRef phys32, bool empty)
{
    LLVMBuildStore(lc->b, lift_const(lc, 8, empty),
                   x87_empty_ptr(lc, phys32));
}

void x87_mark(struct lift_ctx *lc, unsigned i, bool empty)
{
    if (x87_cached(lc)) {
        x87c_mark(lc, i, empty);
        return;
    }
    set_empty(lc, x87_phys(lc, x87_top(lc), i), empty);
}

/* C1 cleared, and bits set when cond1 holds. */
static void stack_fault(struct lift_ctx *lc, LLVMValueRef cond1,
                        uint16_t bits)
{
    x87_sw_update(lc, FPU_C1,
                  LLVMBuildSelect(lc->b, cond1, c16(lc, bits), c16(lc, 0),
                                  ""));
}

struct x87_raw x87_peek_raw(struct lift_ctx *lc, unsigned i)
{
    if (x87_cached(lc))
        return (struct x87_raw){NULL, NULL, x87c_get(lc, i)};
    return x87_raw_load(lc, x87_st_ptr(lc, i));
}

LLVMValueRef x87_get_f80(struct lift_ctx *lc, unsigned i)
{
    if (x87_cached(lc))
        return x87c_get(lc, i);
    return x87_f80_load(lc, x87_st_ptr(lc, i));
}

void x87_set_f80(struct lift_ctx *lc, unsigned i, LLVMValueRef v)
{
    if (x87_cached(lc))
        x87c_set(lc, i, v);
    else
        x87_f80_store(lc, x87_st_ptr(lc, i), v);
}

struct x87_raw x87_get_raw(struct lift_ctx *lc, unsigned i)
{
    struct x87_raw v = x87_peek_raw(lc, i);
    LLVMValueRef e = x87_is_empty(lc, i);
    stack_fault(lc, e, FPU_IE | FPU_SF);
    return x87_raw_select(lc, e, x87_raw_indefinite(lc), v);
}

void x87_set_raw(struct lift_ctx *lc, unsigned i, struct x87_raw v)
{
    if (x87_cached(lc)) {
        x87c_set(lc, i, x87_raw_f80(lc, v));
        x87c_mark(lc, i, false);
        return;
    }
    LLVMValueRef p = x87_phys(lc, x87_top(lc), i);
    x87_raw_store(lc, x87_reg_ptr(lc, p), v);
    set_empty(lc, p, false);
}

/* The register a push fills; *full: it is not empty (an overflow). */
static LLVMValueRef push_slot(struct lift_ctx *lc, LLVMValueRef *full)
{
    LLVMValueRef p = x87_phys(lc, x87_top(lc), 7);
    *full = LLVMBuildNot(lc->b, x87_is_empty(lc, 7), "");
    return p;
}

static void push_done(struct lift_ctx *lc, LLVMValueRef phys32)
{
    if (x87_cached(lc)) {
        x87c_mark(lc, 7, false);
        x87c_move(lc, 1);
        return;
    }
    set_empty(lc, phys32, false);
    x87_set_top(lc, phys32);
}

void x87_push_raw(struct lift_ctx *lc, struct x87_raw v)
{
    LLVMValueRef full;
    LLVMValueRef p = push_slot(lc, &full);
    stack_fault(lc, full, FPU_IE | FPU_SF | FPU_C1);
    v = x87_raw_select(lc, full, x87_raw_indefinite(lc), v);
    if (x87_cached(lc))
        x87c_set(lc, 7, x87_raw_f80(lc, v));
    else
        x87_raw_store(lc, x87_reg_ptr(lc, p), v);
    push_done(lc, p);
}

void x87_pop(struct lift_ctx *lc)
{
    if (x87_cached(lc)) {
        x87c_mark(lc, 0, true);
        x87c_move(lc, -1);
        return;
    }
    LLVMValueRef top = x87_top(lc);
    set_empty(lc, top, true);
    x87_set_top(lc, LLVMBuildAdd(lc->b, top, lift_i32(lc, 1), ""));
}

/* ---- control flow ---- */

void x87_if_begin(struct lift_ctx *lc, LLVMValueRef cond1, struct x87_if *s)
{
    LLVMBasicBlockRef t = lift_block(lc, "x87_then");
    s->other = lift_block(lc, "x87_else");
    s->join = lift_block(lc, "x87_join");
    LLVMBuildCondBr(lc->b, cond1, t, s->other);
    LLVMPositionBuilderAtEnd(lc->b, t);
}

void x87_if_else(struct lift_ctx *lc, struct x87_if *s)
{
    LLVMBuildBr(lc->b, s->join);
    LLVMPositionBuilderAtEnd(lc->b, s->other);
}

void x87_if_end(struct lift_ctx *lc, struct x87_if *s)
{
    LLVMBuildBr(lc->b, s->join);
    LLVMPositionBuilderAtEnd(lc->b, s->join);
}

/* ---- operands ---- */

unsigned x87_rm(struct lift_ctx *lc)
{
    return lc->insn->raw.modrm.rm;
}

bool x87_is_mem(struct lift_ctx *lc)
{
    return lc->insn->raw.modrm.mod != 3;
}

void x87_mem_operand(struct lift_ctx *lc, bool integer, struct x87_mem *m)
{
    m->bits = lift_op_bits(lc, 0);
    m->addr = lift_op_addr(lc, 0);
    if (integer)
        m->kind = m->bits == 16   ? LIFTER_FPU_SRC_I16
                  : m->bits == 32 ? LIFTER_FPU_SRC_I32
                                  : LIFTER_FPU_SRC_I64;
    else
        m->kind = m->bits == 32 ? LIFTER_FPU_SRC_M32 : LIFTER_FPU_SRC_M64;
}

LLVMValueRef x87_mem_bits(struct lift_ctx *lc, const struct x87_mem *m)
{
    return lift_zext(lc, lift_load(lc, m->addr, m->bits), 64);
}

/* ---- loads ---- */

/* FLD m32/m64 and FILD: the helper converts into the pushed register (or
 * stores the indefinite there on overflow). */
static void lift_fld_convert(struct lift_ctx *lc, bool integer)
{
    struct x87_mem m;
    x87_mem_operand(lc, integer, &m);
    LLVMValueRef full;
    LLVMValueRef p = push_slot(lc, &full);
    LLVMValueRef reg = x87_st_ptr(lc, 7);
    LLVMValueRef op = x87_op(lc, LIFTER_FPU_LOAD | m.kind, full);
    if (x87_inline_on(lc)) {
        bool c1_dead = x87_c1_dead(lc);
        struct x87_choice c;
        x87_inline_begin(lc, x87_inline_ok(lc, full, false), &c);
        x87_set_f80(lc, 7, x87_f80_operand(lc, &m));
        if (!c1_dead)
            x87_sw_update(lc, FPU_C1, NULL);
        x87_inline_end(lc, &c, NULL, op, reg, NULL, &m);
    } else {
        x87_call(lc, op, reg, NULL, x87_mem_bits(lc, &m));
    }
    push_done(lc, p);
}

static void lift_fld(struct lift_ctx *lc)
{
    if (!x87_is_mem(lc))
        x87_push_raw(lc, x87_get_raw(lc, x87_rm(lc)));
    else if (lift_op_bits(lc, 0) == 80)
        x87_push_raw(lc, x87_raw_load_guest(lc, lift_op_addr(lc, 0)));
    else
        lift_fld_convert(lc, false);
}

/* FLDPI, FLDL2E, FLDLG2, FLDLN2 round their 66-bit internal constant by
 * RC: down and toward zero give the significand below the nearest one;
 * FLDL2T's nearest is its truncation, so up gives the one above. */
static void lift_fld_const(struct lift_ctx *lc, uint16_t se, uint64_t sig,
                           int down, int up)
{
    struct x87_raw v = x87_raw_const(lc, se, sig);
    if (down || up) {
        LLVMValueRef rc = LLVMBuildAnd(lc->b, x87_cw(lc),
                                       c16(lc, FPU_CW_RC), "");
        LLVMValueRef is_down = LLVMBuildICmp(
            lc->b, LLVMIntEQ, rc, c16(lc, 1u << 10), "");
        LLVMValueRef is_up = LLVMBuildICmp(lc->b, LLVMIntEQ, rc,
                                           c16(lc, 2u << 10), "");
        LLVMValueRef is_zero = LLVMBuildICmp(lc->b, LLVMIntEQ, rc,
                                             c16(lc, 3u << 10), "");
        LLVMValueRef below = LLVMBuildOr(lc->b, is_down, is_zero, "");
        v = x87_raw_select(lc, below,
                           x87_raw_const(lc, se, sig + (uint64_t)down), v);
        v = x87_raw_select(lc, is_up, x87_raw_const(lc, se, sig + (uint64_t)up),
                           v);
    }
    x87_push_raw(lc, v);
}

/* FBLD: the helper converts the packed BCD. */
static void lift_fbld(struct lift_ctx *lc)
{
    LLVMValueRef tmp = x87_tmp_ptr(lc, 0);
    x87_raw_store(lc, tmp, x87_raw_load_guest(lc, lift_op_addr(lc, 0)));
    x87_call(lc, lift_i32(lc, LIFTER_FPU_BLD), tmp, NULL, NULL);
    x87_push_raw(lc, x87_raw_load(lc, tmp));
}

/* ---- stores ---- */

/* FST/FSTP m32/m64 inside the unit: stores ST(0) rounded at addr32 and
 * sets C1 (rounded up: the result is larger in magnitude) unless it is
 * dead.  A dead C1 leaves one FST m32/m64 (x87_f80_store_narrow); a live
 * one needs the rounded value: a denormal result goes to the helper for
 * C1 (widening it back would raise DE): doing the store again gives the
 * same bits and raises no other flag than the first time. */
static void inline_store(struct lift_ctx *lc, LLVMValueRef opv,
                         LLVMValueRef a, LLVMValueRef addr32, unsigned bits,
                         bool pop)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef x = x87_get_f80(lc, 0);
    if (x87_c1_dead(lc)) {
        x87_f80_store_narrow(lc, addr32, bits, x, pop);
        return;
    }
    LLVMValueRef d = x87_f80_round(lc, x, bits);
    LLVMValueRef r = lift_zext(
        lc, LLVMBuildBitCast(b, d, lift_int_type(lc, bits), ""), 64);
    uint64_t sign = 1ull << (bits - 1);
    uint64_t min_normal = bits == 32 ? 1ull << 23 : 1ull << 52;
    LLVMValueRef mag = LLVMBuildAnd(b, r, lift_const(lc, 64, sign - 1), "");
    LLVMValueRef denormal = LLVMBuildAnd(
        b, LLVMBuildICmp(b, LLVMIntNE, mag, lift_const(lc, 64, 0), ""),
        LLVMBuildICmp(b, LLVMIntULT, mag, lift_const(lc, 64, min_normal), ""),
        "");
    struct x87_choice c;
    x87_inline_begin(lc, LLVMBuildNot(b, denormal, ""), &c);
    LLVMValueRef up = x87_f80_cmp(lc, false, "ogt",
                                  x87_f80_abs(lc, x87_f80_widen(lc, d)),
                                  x87_f80_abs(lc, x));
    x87_set_cc(lc, NULL, up, NULL, NULL);
    x87_inline_end(lc, &c, r, opv, a, NULL, NULL);
    lift_store(lc, addr32, d);
}

/* FST/FSTP m32/m64 (rounded by RC), FIST/FISTP (by RC), FISTTP: the
 * helper's bits (an empty ST(0) gives the format's indefinite); pop: the
 * caller pops ST(0) next. */
static void lift_fst_convert(struct lift_ctx *lc, uint32_t op, bool pop)
{
    unsigned bits = lift_op_bits(lc, 0);
    LLVMValueRef addr = lift_op_addr(lc, 0);
    LLVMValueRef empty = x87_is_empty(lc, 0);
    LLVMValueRef a = x87_st_ptr(lc, 0);
    LLVMValueRef opv = x87_op(lc, op, empty);
    LLVMValueRef r;
    if (x87_inline_on(lc) &&
        (op == LIFTER_FPU_ST32 || op == LIFTER_FPU_ST64)) {
        /* Stored in each arm: the inline arm's float/double store is
         * then one FST m32/m64 (a value joined from both arms would go
         * through an SSE register and the stack). */
        struct x87_if s;
        x87_if_begin(lc, x87_inline_ok(lc, empty, true), &s);
        inline_store(lc, opv, a, addr, bits, pop);
        x87_if_else(lc, &s);
        lift_store(lc, addr,
                   lift_trunc(lc, x87_call(lc, opv, a, NULL, NULL), bits));
        x87_if_end(lc, &s);
        return;
    }
    r = x87_call(lc, opv, a, NULL, NULL);
    lift_store(lc, addr, lift_trunc(lc, r, bits));
}

/* FST/FSTP to memory (m32, m64 rounded by RC; m80 exact) or ST(i). */
static void lift_fst(struct lift_ctx *lc, bool pop)
{
    if (!x87_is_mem(lc))
        x87_set_raw(lc, x87_rm(lc), x87_get_raw(lc, 0));
    else if (lift_op_bits(lc, 0) == 80)
        x87_raw_store_guest(lc, lift_op_addr(lc, 0), x87_get_raw(lc, 0));
    else
        lift_fst_convert(lc,
                         lift_op_bits(lc, 0) == 32 ? LIFTER_FPU_ST32
                                                   : LIFTER_FPU_ST64,
                         pop);
    if (pop)
        x87_pop(lc);
}

static void lift_fist(struct lift_ctx *lc, bool pop, bool truncate)
{
    static const uint32_t fist[] = {LIFTER_FPU_IST16, LIFTER_FPU_IST32,
                                    LIFTER_FPU_IST64};
    static const uint32_t fisttp[] = {LIFTER_FPU_ISTT16, LIFTER_FPU_ISTT32,
                                      LIFTER_FPU_ISTT64};
    unsigned bits = lift_op_bits(lc, 0);
    unsigned k = bits == 16 ? 0 : bits == 32 ? 1 : 2;
    lift_fst_convert(lc, truncate ? fisttp[k] : fist[k], pop || truncate);
    if (pop || truncate)
        x87_pop(lc);
}

/* FBSTP: the helper converts to packed BCD (rounding by RC). */
static void lift_fbstp(struct lift_ctx *lc)
{
    LLVMValueRef addr = lift_op_addr(lc, 0);
    LLVMValueRef tmp = x87_tmp_ptr(lc, 0);
    x87_raw_store(lc, tmp, x87_get_raw(lc, 0));
    x87_call(lc, lift_i32(lc, LIFTER_FPU_BSTP), tmp, NULL, NULL);
    x87_raw_store_guest(lc, addr, x87_raw_load(lc, tmp));
    x87_pop(lc);
}

/* ---- register operations ---- */

static void lift_fxch(struct lift_ctx *lc)
{
    unsigned i = x87_rm(lc);
    struct x87_raw a = x87_get_raw(lc, 0);
    struct x87_raw b = x87_get_raw(lc, i);
    x87_set_raw(lc, 0, b);
    x87_set_raw(lc, i, a);
}

/* FCMOVcc ST(0), ST(i): copy when the EFLAGS condition holds. */
static void lift_fcmov(struct lift_ctx *lc, unsigned cc)
{
    struct x87_if s;
    x87_if_begin(lc, lift_cond(lc, cc), &s);
    x87_set_raw(lc, 0, x87_get_raw(lc, x87_rm(lc)));
    x87_if_else(lc, &s);
    x87_if_end(lc, &s);
}

static void lift_ffree(struct lift_ctx *lc, bool pop)
{
    x87_mark(lc, x87_rm(lc), true);
    if (pop)
        x87_pop(lc);
}

/* FCHS, FABS: the sign bit alone, as the x87 does (no exception for a
 * NaN operand); an empty ST(0) becomes the indefinite as it is. */
static void lift_fsign(struct lift_ctx *lc, bool abs)
{
    struct x87_raw v = x87_get_raw(lc, 0);
    LLVMValueRef empty = x87_is_empty(lc, 0);
    if (v.f80) { /* the x87 cache: LLVM's sign operations are FCHS, FABS */
        LLVMValueRef r = abs ? x87_f80_abs(lc, v.f80)
                             : LLVMBuildFNeg(lc->b, v.f80, "");
        v.f80 = LLVMBuildSelect(lc->b, empty, v.f80, r, "");
        x87_set_raw(lc, 0, v);
        return;
    }
    LLVMValueRef se = abs ? LLVMBuildAnd(lc->b, v.se, c16(lc, 0x7fff), "")
                          : LLVMBuildXor(lc->b, v.se, c16(lc, 0x8000), "");
    v.se = LLVMBuildSelect(lc->b, empty, v.se, se, "");
    x87_set_raw(lc, 0, v);
}

/* ---- control ---- */

/* FLDCW: bit 6 reads as 1 and bits 7, 13-15 as 0, as on the x87. */
static void lift_fldcw(struct lift_ctx *lc)
{
    LLVMValueRef v = lift_load(lc, lift_op_addr(lc, 0), 16);
    v = LLVMBuildOr(lc->b, LLVMBuildAnd(lc->b, v, c16(lc, 0x1f3f), ""),
                    c16(lc, 0x0040), "");
    x87_set_cw(lc, v);
}

static void lift_fnstsw(struct lift_ctx *lc)
{
    LLVMValueRef sw = x87_status_word(lc);
    const ZydisDecodedOperand *op = lift_op(lc, 0);
    if (op->type == ZYDIS_OPERAND_TYPE_REGISTER)
        lift_gpr_set_w(lc, REG_EAX, 16, sw);
    else
        lift_store(lc, lift_op_addr(lc, 0), sw);
}

static void lift_fninit(struct lift_ctx *lc)
{
    LLVMBuildStore(lc->b, c16(lc, FPU_CW_DEFAULT),
                   lift_state_ptr(lc, CPU_OFF_FPU_CW));
    LLVMBuildStore(lc->b, c16(lc, 0), lift_state_ptr(lc, CPU_OFF_FPU_SW));
    x87_set_top(lc, lift_i32(lc, 0));
    for (unsigned i = 0; i < 8; i++)
        set_empty(lc, lift_i32(lc, i), true);
    x87_host_clear(lc);
}

static void lift_fnclex(struct lift_ctx *lc)
{
    x87_sw_update(lc, FPU_EXC | FPU_SF | FPU_ES | FPU_B, NULL);
    x87_host_clear(lc);
}

static void lift_fstep(struct lift_ctx *lc, int delta)
{
    x87_sw_update(lc, FPU_C1, NULL);
    if (x87_cached(lc)) {
        x87c_move(lc, -delta); /* a push is TOP - 1 */
        return;
    }
    x87_set_top(lc, LLVMBuildAdd(lc->b, x87_top(lc),
                                 lift_i32(lc, (uint32_t)delta), ""));
}

static bool lift_x87_move(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_FLD: lift_fld(lc); return true;
    case ZYDIS_MNEMONIC_FILD: lift_fld_convert(lc, true); return true;
    case ZYDIS_MNEMONIC_FBLD: lift_fbld(lc); return true;
    case ZYDIS_MNEMONIC_FLD1:
        lift_fld_const(lc, 0x3fff, 0x8000000000000000ull, 0, 0);
        return true;
    case ZYDIS_MNEMONIC_FLDZ: lift_fld_const(lc, 0, 0, 0, 0); return true;
    case ZYDIS_MNEMONIC_FLDPI:
        lift_fld_const(lc, 0x4000, 0xc90fdaa22168c235ull, -1, 0);
        return true;
    case ZYDIS_MNEMONIC_FLDL2E:
        lift_fld_const(lc, 0x3fff, 0xb8aa3b295c17f0bcull, -1, 0);
        return true;
    case ZYDIS_MNEMONIC_FLDL2T:
        lift_fld_const(lc, 0x4000, 0xd49a784bcd1b8afeull, 0, 1);
        return true;
    case ZYDIS_MNEMONIC_FLDLG2:
        lift_fld_const(lc, 0x3ffd, 0x9a209a84fbcff799ull, -1, 0);
        return true;
    case ZYDIS_MNEMONIC_FLDLN2:
        lift_fld_const(lc, 0x3ffe, 0xb17217f7d1cf79acull, -1, 0);
        return true;
    case ZYDIS_MNEMONIC_FST: lift_fst(lc, false); return true;
    case ZYDIS_MNEMONIC_FSTP:
    case ZYDIS_MNEMONIC_FSTPNCE: /* D9 D8+i, an alias of FSTP ST(i) */
        lift_fst(lc, true);
        return true;
    case ZYDIS_MNEMONIC_FIST: lift_fist(lc, false, false); return true;
    case ZYDIS_MNEMONIC_FISTP: lift_fist(lc, true, false); return true;
    case ZYDIS_MNEMONIC_FISTTP: lift_fist(lc, true, true); return true;
    case ZYDIS_MNEMONIC_FBSTP: lift_fbstp(lc); return true;
    case ZYDIS_MNEMONIC_FXCH: lift_fxch(lc); return true;
    case ZYDIS_MNEMONIC_FCMOVB: lift_fcmov(lc, 2); return true;
    case ZYDIS_MNEMONIC_FCMOVNB: lift_fcmov(lc, 3); return true;
    case ZYDIS_MNEMONIC_FCMOVE: lift_fcmov(lc, 4); return true;
    case ZYDIS_MNEMONIC_FCMOVNE: lift_fcmov(lc, 5); return true;
    case ZYDIS_MNEMONIC_FCMOVBE: lift_fcmov(lc, 6); return true;
    case ZYDIS_MNEMONIC_FCMOVNBE: lift_fcmov(lc, 7); return true;
    case ZYDIS_MNEMONIC_FCMOVU: lift_fcmov(lc, 10); return true;
    case ZYDIS_MNEMONIC_FCMOVNU: lift_fcmov(lc, 11); return true;
    case ZYDIS_MNEMONIC_FFREE: lift_ffree(lc, false); return true;
    case ZYDIS_MNEMONIC_FFREEP: lift_ffree(lc, true); return true;
    case ZYDIS_MNEMONIC_FINCSTP: lift_fstep(lc, 1); return true;
    case ZYDIS_MNEMONIC_FDECSTP: lift_fstep(lc, -1); return true;
    case ZYDIS_MNEMONIC_FCHS: lift_fsign(lc, false); return true;
    case ZYDIS_MNEMONIC_FABS: lift_fsign(lc, true); return true;
    default: return false;
    }
}

static bool lift_x87_control(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_FLDCW: lift_fldcw(lc); return true;
    case ZYDIS_MNEMONIC_FNSTCW:
        lift_store(lc, lift_op_addr(lc, 0), x87_cw(lc));
        return true;
    case ZYDIS_MNEMONIC_FNSTSW: lift_fnstsw(lc); return true;
    case ZYDIS_MNEMONIC_FNCLEX: lift_fnclex(lc); return true;
    case ZYDIS_MNEMONIC_FNINIT: lift_fninit(lc); return true;
    case ZYDIS_MNEMONIC_FWAIT: /* no unmasked exception ever pends */
    case ZYDIS_MNEMONIC_FNOP:
    case ZYDIS_MNEMONIC_FENI8087_NOP: /* 8087/287 leftovers: no-ops */
    case ZYDIS_MNEMONIC_FDISI8087_NOP:
    case ZYDIS_MNEMONIC_FSETPM287_NOP:
        return true;
    default: return false;
    }
}

bool lift_x87(struct lift_ctx *lc)
{
    ZydisMnemonic m = lc->insn->mnemonic;
    lc->x87c.tmp_st[0] = lc->x87c.tmp_st[1] = -1;
    /* The 16-bit environment formats are not implemented. */
    if ((m == ZYDIS_MNEMONIC_FNSTENV || m == ZYDIS_MNEMONIC_FLDENV ||
         m == ZYDIS_MNEMONIC_FNSAVE || m == ZYDIS_MNEMONIC_FRSTOR) &&
        lc->insn->operand_width == 16)
        return false;
    return lift_x87_move(lc) || lift_x87_control(lc) ||
           lift_x87_arith(lc) || lift_x87_env(lc);
}
