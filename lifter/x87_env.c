/* The x87 environment and whole state in memory: FNSTENV/FLDENV (28
 * bytes), FNSAVE/FRSTOR (108 bytes), FXSAVE/FXRSTOR (512 bytes), in their
 * 32-bit protected-mode formats.  The model is at the top of x87.c.
 *
 * Knowingly:
 * - the instruction and operand pointers and the last opcode are stored
 *   as 0 (selectors too); the reserved upper words of FNSTENV/FNSAVE are
 *   0xffff, as Intel and AMD processors store them;
 * - FNSTENV and FNSAVE store the full tag word computed from the register
 *   contents; FLDENV and FRSTOR use only its "empty" (11b) tags, as the
 *   x87 does;
 * - FXSAVE stores MXCSR, MXCSR_MASK 0xffff and XMM0-7 (lifter/sse.c) and
 *   leaves bytes 288-511 alone; FXRSTOR loads MXCSR (without checking
 *   its reserved bits) and XMM0-7;
 * - FXSAVE/FXRSTOR at an address not 16-byte aligned raise #GP (SIGSEGV),
 *   as they do on hardware. */
#include "x87.h"

static LLVMValueRef c16(struct lift_ctx *lc, uint16_t v)
{
    return lift_const(lc, 16, v);
}

static LLVMValueRef at(struct lift_ctx *lc, LLVMValueRef addr, uint32_t off)
{
    return LLVMBuildAdd(lc->b, addr, lift_i32(lc, off), "");
}

static void store_at(struct lift_ctx *lc, LLVMValueRef addr, uint32_t off,
                     LLVMValueRef v)
{
    lift_store(lc, at(lc, addr, off), v);
}

/* The 2-bit tag of physical register i from its contents: 00 valid,
 * 01 zero, 10 special (NaN, infinity, denormal, unsupported), 11 empty. */
static LLVMValueRef tag_of(struct lift_ctx *lc, unsigned i)
{
    LLVMBuilderRef b = lc->b;
    LLVMValueRef phys = lift_i32(lc, i);
    struct x87_raw v = x87_raw_load(lc, x87_reg_ptr(lc, phys));
    LLVMValueRef sig = v.sig, se = v.se;
    LLVMValueRef empty = LLVMBuildICmp(
        b, LLVMIntNE, LLVMBuildLoad2(b, lc->i8, x87_empty_ptr(lc, phys), ""),
        lift_const(lc, 8, 0), "");
    LLVMValueRef exp = LLVMBuildAnd(b, se, c16(lc, 0x7fff), "");
    LLVMValueRef exp0 = LLVMBuildICmp(b, LLVMIntEQ, exp, c16(lc, 0), "");
    LLVMValueRef max = LLVMBuildICmp(b, LLVMIntEQ, exp, c16(lc, 0x7fff), "");
    LLVMValueRef sig0 = LLVMBuildICmp(b, LLVMIntEQ, sig, lift_const(lc, 64, 0),
                                      "");
    LLVMValueRef j = lift_msb(lc, sig);
    LLVMValueRef zero = LLVMBuildAnd(b, exp0, sig0, "");
    /* special: exponent all ones, a denormal, or an unnormal (J = 0). */
    LLVMValueRef special = LLVMBuildOr(
        b, max,
        LLVMBuildSelect(b, exp0, LLVMBuildNot(b, sig0, ""),
                        LLVMBuildNot(b, j, ""), ""),
        "");
    LLVMValueRef tag = LLVMBuildSelect(b, special, c16(lc, 2), c16(lc, 0), "");
    tag = LLVMBuildSelect(b, zero, c16(lc, 1), tag, "");
    return LLVMBuildSelect(b, empty, c16(lc, 3), tag, "");
}

static LLVMValueRef tag_word(struct lift_ctx *lc)
{
    LLVMValueRef tw = c16(lc, 0);
    for (unsigned i = 0; i < 8; i++)
        tw = LLVMBuildOr(lc->b, tw,
                         LLVMBuildShl(lc->b, tag_of(lc, i), c16(lc, 2 * i),
                                      ""),
                         "");
    return tw;
}

/* The 28-byte environment: control, status and tag words (upper halves
 * 0xffff), then the pointers. */
static void store_env(struct lift_ctx *lc, LLVMValueRef addr)
{
    LLVMValueRef hi = lift_i32(lc, 0xffff0000u);
    LLVMValueRef words[3] = {x87_cw(lc), x87_status_word(lc), tag_word(lc)};
    for (unsigned k = 0; k < 3; k++)
        store_at(lc, addr, 4 * k,
                 LLVMBuildOr(lc->b, lift_zext(lc, words[k], 32), hi, ""));
    store_at(lc, addr, 12, lift_i32(lc, 0)); /* FIP */
    store_at(lc, addr, 16, lift_i32(lc, 0)); /* FCS, FOP */
    store_at(lc, addr, 20, lift_i32(lc, 0)); /* FDP */
    store_at(lc, addr, 24, hi);              /* FDS */
}

static void set_cw(struct lift_ctx *lc, LLVMValueRef cw)
{
    cw = LLVMBuildOr(lc->b, LLVMBuildAnd(lc->b, cw, c16(lc, 0x1f3f), ""),
                     c16(lc, 0x0040), "");
    LLVMBuildStore(lc->b, cw, lift_state_ptr(lc, CPU_OFF_FPU_CW));
}

/* A status word from memory: TOP apart, the exception flags now the
 * guest's alone (the host's are cleared). */
static void set_sw(struct lift_ctx *lc, LLVMValueRef sw)
{
    x87_set_top(lc, lift_zext(lc, LLVMBuildLShr(lc->b, sw,
                                                c16(lc, FPU_TOP_SHIFT), ""),
                              32));
    sw = LLVMBuildAnd(lc->b, sw,
                      c16(lc, (uint16_t)~(FPU_TOP_MASK | FPU_ES | FPU_B)), "");
    LLVMBuildStore(lc->b, sw, lift_state_ptr(lc, CPU_OFF_FPU_SW));
    x87_host_clear(lc);
}

static void set_empty_bit(struct lift_ctx *lc, unsigned i, LLVMValueRef e1)
{
    LLVMBuildStore(lc->b, lift_zext(lc, e1, 8),
                   x87_empty_ptr(lc, lift_i32(lc, i)));
}

static void load_env(struct lift_ctx *lc, LLVMValueRef addr)
{
    LLVMValueRef cw = lift_load(lc, addr, 16);
    LLVMValueRef sw = lift_load(lc, at(lc, addr, 4), 16);
    LLVMValueRef tw = lift_load(lc, at(lc, addr, 8), 16);
    set_cw(lc, cw);
    set_sw(lc, sw);
    for (unsigned i = 0; i < 8; i++) {
        LLVMValueRef t = LLVMBuildAnd(
            lc->b, LLVMBuildLShr(lc->b, tw, c16(lc, 2 * i), ""), c16(lc, 3),
            "");
        set_empty_bit(lc, i, LLVMBuildICmp(lc->b, LLVMIntEQ, t, c16(lc, 3),
                                           ""));
    }
}

/* ST(k) as stored (raw bits, empty or not). */
static struct x87_raw st_raw(struct lift_ctx *lc, LLVMValueRef top,
                             unsigned k)
{
    return x87_raw_load(lc, x87_reg_ptr(lc, x87_phys(lc, top, k)));
}

static void st_raw_set(struct lift_ctx *lc, LLVMValueRef top, unsigned k,
                       struct x87_raw v)
{
    x87_raw_store(lc, x87_reg_ptr(lc, x87_phys(lc, top, k)), v);
}

static void lift_fnstenv(struct lift_ctx *lc)
{
    store_env(lc, lift_op_addr(lc, 0));
    /* FNSTENV then masks every exception. */
    LLVMValueRef p = lift_state_ptr(lc, CPU_OFF_FPU_CW);
    LLVMValueRef cw = LLVMBuildLoad2(lc->b, lc->i16, p, "");
    LLVMBuildStore(lc->b, LLVMBuildOr(lc->b, cw, c16(lc, FPU_EXC), ""), p);
}

/* FNSAVE: the environment, ST(0)..ST(7) at 10 bytes each, then FNINIT. */
static void lift_fnsave(struct lift_ctx *lc)
{
    LLVMValueRef addr = lift_op_addr(lc, 0);
    store_env(lc, addr);
    LLVMValueRef top = x87_top(lc);
    for (unsigned k = 0; k < 8; k++)
        x87_raw_store_guest(lc, at(lc, addr, 28 + 10 * k), st_raw(lc, top, k));
    LLVMBuildStore(lc->b, c16(lc, FPU_CW_DEFAULT),
                   lift_state_ptr(lc, CPU_OFF_FPU_CW));
    LLVMBuildStore(lc->b, c16(lc, 0), lift_state_ptr(lc, CPU_OFF_FPU_SW));
    x87_set_top(lc, lift_i32(lc, 0));
    for (unsigned i = 0; i < 8; i++)
        set_empty_bit(lc, i, lift_const(lc, 1, 1));
    x87_host_clear(lc);
}

static void lift_frstor(struct lift_ctx *lc)
{
    LLVMValueRef addr = lift_op_addr(lc, 0);
    struct x87_raw regs[8];
    for (unsigned k = 0; k < 8; k++)
        regs[k] = x87_raw_load_guest(lc, at(lc, addr, 28 + 10 * k));
    load_env(lc, addr);
    LLVMValueRef top = x87_top(lc);
    for (unsigned k = 0; k < 8; k++)
        st_raw_set(lc, top, k, regs[k]);
}

static void check_align16(struct lift_ctx *lc, LLVMValueRef addr)
{
    LLVMValueRef low = LLVMBuildAnd(lc->b, addr, lift_i32(lc, 15), "");
    lift_exit_if(lc, LLVMBuildICmp(lc->b, LLVMIntNE, low, lift_i32(lc, 0), ""),
                 CPU_EXIT_PRIV, lc->pc);
}

static void lift_fxsave(struct lift_ctx *lc)
{
    LLVMValueRef addr = lift_op_addr(lc, 0);
    check_align16(lc, addr);
    store_at(lc, addr, 0, x87_cw(lc));
    store_at(lc, addr, 2, x87_status_word(lc));
    /* The abridged tag word: bit i set when R(i) is not empty. */
    LLVMValueRef ftw = lift_const(lc, 8, 0);
    for (unsigned i = 0; i < 8; i++) {
        LLVMValueRef e = LLVMBuildLoad2(lc->b, lc->i8,
                                        x87_empty_ptr(lc, lift_i32(lc, i)), "");
        LLVMValueRef full = LLVMBuildXor(lc->b, e, lift_const(lc, 8, 1), "");
        ftw = LLVMBuildOr(lc->b, ftw,
                          LLVMBuildShl(lc->b, full, lift_const(lc, 8, i), ""),
                          "");
    }
    store_at(lc, addr, 4, lift_zext(lc, ftw, 16)); /* FTW, reserved byte */
    store_at(lc, addr, 6, c16(lc, 0));             /* FOP */
    for (uint32_t off = 8; off < 24; off += 4)     /* FIP FCS FDP FDS */
        store_at(lc, addr, off, lift_i32(lc, 0));
    store_at(lc, addr, 24,
             LLVMBuildLoad2(lc->b, lc->i32, lift_state_ptr(lc, CPU_OFF_MXCSR),
                            ""));                  /* MXCSR */
    store_at(lc, addr, 28, lift_i32(lc, 0xffff));  /* MXCSR_MASK */
    LLVMValueRef top = x87_top(lc);
    for (unsigned k = 0; k < 8; k++) {
        x87_raw_store_guest(lc, at(lc, addr, 32 + 16 * k), st_raw(lc, top, k));
        store_at(lc, addr, 42 + 16 * k, c16(lc, 0));
        store_at(lc, addr, 44 + 16 * k, lift_i32(lc, 0));
    }
    for (uint32_t k = 0; k < 8; k++) { /* XMM0-7 */
        LLVMValueRef x = LLVMBuildLoad2(lc->b, lift_int_type(lc, 128),
                                        lift_state_ptr(lc, CPU_OFF_XMM + 16 * k),
                                        "");
        LLVMSetAlignment(x, 4);
        store_at(lc, addr, 160 + 16 * k, x);
    }
}

static void lift_fxrstor(struct lift_ctx *lc)
{
    LLVMValueRef addr = lift_op_addr(lc, 0);
    check_align16(lc, addr);
    LLVMValueRef cw = lift_load(lc, addr, 16);
    LLVMValueRef sw = lift_load(lc, at(lc, addr, 2), 16);
    LLVMValueRef ftw = lift_load(lc, at(lc, addr, 4), 8);
    struct x87_raw regs[8];
    for (unsigned k = 0; k < 8; k++)
        regs[k] = x87_raw_load_guest(lc, at(lc, addr, 32 + 16 * k));
    LLVMValueRef mxcsr = lift_load(lc, at(lc, addr, 24), 32);
    LLVMValueRef xmm[8];
    for (unsigned k = 0; k < 8; k++)
        xmm[k] = lift_load(lc, at(lc, addr, 160 + 16 * k), 128);
    LLVMBuildStore(lc->b, mxcsr, lift_state_ptr(lc, CPU_OFF_MXCSR));
    for (unsigned k = 0; k < 8; k++) {
        LLVMValueRef st = LLVMBuildStore(
            lc->b, xmm[k], lift_state_ptr(lc, CPU_OFF_XMM + 16 * k));
        LLVMSetAlignment(st, 4);
    }
    set_cw(lc, cw);
    set_sw(lc, sw);
    for (unsigned i = 0; i < 8; i++) {
        LLVMValueRef bit = LLVMBuildAnd(lc->b, ftw, lift_const(lc, 8, 1u << i),
                                        "");
        set_empty_bit(lc, i, LLVMBuildICmp(lc->b, LLVMIntEQ, bit,
                                           lift_const(lc, 8, 0), ""));
    }
    LLVMValueRef top = x87_top(lc);
    for (unsigned k = 0; k < 8; k++)
        st_raw_set(lc, top, k, regs[k]);
}

bool lift_x87_env(struct lift_ctx *lc)
{
    switch (lc->insn->mnemonic) {
    case ZYDIS_MNEMONIC_FNSTENV: lift_fnstenv(lc); return true;
    case ZYDIS_MNEMONIC_FLDENV: load_env(lc, lift_op_addr(lc, 0)); return true;
    case ZYDIS_MNEMONIC_FNSAVE: lift_fnsave(lc); return true;
    case ZYDIS_MNEMONIC_FRSTOR: lift_frstor(lc); return true;
    case ZYDIS_MNEMONIC_FXSAVE: lift_fxsave(lc); return true;
    case ZYDIS_MNEMONIC_FXRSTOR: lift_fxrstor(lc); return true;
    default: return false;
    }
}
