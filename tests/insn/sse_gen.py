#!/usr/bin/env python3
"""Regenerates sse.cases, sse_packed.cases, mmx.cases and ssse3.cases:
runs each case's instructions natively on the x86-64 host (same SSE/MMX
semantics, [rbx] instead of [ebx], rdi instead of edi) to get the expected
values, and assembles the i386 code bytes with `as --32`.  The host CPU
must have SSSE3.  Needs gcc, as and objcopy; works in a temporary
directory."""
import subprocess, struct, os, math, tempfile
HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = "# SSE and SSE2 (lifter/sse.c): moves, logic, integer vector arithmetic,\n# compares, shuffles and unpacks, scalar float/double arithmetic,\n# conversions, (U)COMIS*, LDMXCSR/STMXCSR.\n#\n# Each case loads its inputs from memory (ebx = 0x00500000) into XMM\n# registers and stores results at 0x00500040 (all 16 bytes checked); results\n# in general registers are checked as out: eax=, flags of (U)COMIS* are\n# stored with SETcc (ZF PF CF OF SF at 0x40..0x44).\n#\n# Expected values are what an SSE2 CPU gives: each case's code was run\n# natively on an x86-64 host (the instructions mean the same in 64-bit\n# mode with [rbx] addressing) by tests/insn/sse_gen.py, and cross-checked\n# against qemu-i386.  The initial MXCSR is 0x1f80 (round to nearest).\n\n[movdqa misaligned m128: #GP]\ncode: 66 0f 6f 03  # movdqa xmm0, [ebx]\nin: ebx=0x500001\nexit: priv\nout: eip=0x400000\n\n[movaps misaligned store: #GP]\ncode: 0f 29 43 08  # movaps [ebx+8], xmm0\nin: ebx=0x500000\nexit: priv\nout: eip=0x400000\n\n"
FXSAVE = '\n# FXSAVE/FXRSTOR (lifter/x87_env.c) save and restore MXCSR and XMM0-7.\n[fxsave/fxrstor: mxcsr and xmm3]\ncode: f3 0f 6f 1b 0f ae 53 10 0f ae 83 00 01 00 00 66 0f ef db 0f ae 53 14 0f ae 8b 00 01 00 00 f3 0f 7f 5b 40 0f ae 5b 50 0f ae 53 14  # movdqu xmm3,[ebx]; ldmxcsr [ebx+16]; fxsave [ebx+0x100]; pxor xmm3,xmm3; ldmxcsr [ebx+20]; fxrstor [ebx+0x100]; movdqu [ebx+0x40],xmm3; stmxcsr [ebx+0x50]; ldmxcsr [ebx+20]\nin: ebx=0x500000\nmem: 0x00500000: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\nmem: 0x00500010: 80 3f 00 00 80 1f 00 00\noutmem: 0x00500040: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\noutmem: 0x00500050: 80 3f 00 00\noutmem: 0x00500118: 80 3f 00 00 ff ff 00 00\noutmem: 0x005001d0: 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\n'
HEADERS = {
    'sse_packed': "# SSE/SSE2 packed and scalar floating point (lifter/sse_arith.c),\n# shuffles and masks (sse_shuffle.c), conversions with MXCSR rounding\n# (sse_convert.c), half moves, non-temporal stores and fences (sse.c),\n# and the rest of the SSE2 integer set (sse_int.c).\n#\n# Inputs are loaded from memory (ebx = 0x00500000); results are stored at\n# 0x00500040 or returned in eax.  Expected values are what the CPU gives:\n# each case's code was run natively on an x86-64 host by\n# tests/insn/sse_gen.py (which writes this file) and cross-checked against\n# qemu-i386 (tests/insn/qemu_check.sh).\n\n",
    'mmx': "# MMX (lifter/mmx.c and the SSE files' handlers at 64-bit width), the\n# x87 aliasing of the mm registers, and the SSE-era MMX extensions.\n#\n# Inputs are loaded from memory (ebx = 0x00500000); results are stored at\n# 0x00500040 or returned in eax.  Expected values are what the CPU gives:\n# each case's code was run natively on an x86-64 host by\n# tests/insn/sse_gen.py (which writes this file) and cross-checked against\n# qemu-i386 (tests/insn/qemu_check.sh).\n\n",
    'ssse3': "# SSE3 and SSSE3 (lifter/sse_arith.c, sse_int.c, sse_shuffle.c).\n#\n# Inputs are loaded from memory (ebx = 0x00500000); results are stored at\n# 0x00500040 or returned in eax.  Expected values are what the CPU gives:\n# each case's code was run natively on an x86-64 host by\n# tests/insn/sse_gen.py (which writes this file) and cross-checked against\n# qemu-i386 (tests/insn/qemu_check.sh).\n\n",
}
ALIGN_TAIL = """
# Legacy-SSE instructions with a misaligned 128-bit memory operand raise
# #GP (SIGSEGV), except the unaligned moves; 64-bit operands never fault.
[addps xmm, misaligned m128: #GP]
code: 0f 58 43 01  # addps xmm0, [ebx+1]
in: ebx=0x500000
exit: priv
out: eip=0x400000

[pshufd xmm, misaligned m128: #GP]
code: 66 0f 70 43 08 1b  # pshufd xmm0, [ebx+8], 0x1b
in: ebx=0x500000
exit: priv
out: eip=0x400000

[cvtps2pd xmm, misaligned m64: no fault]
code: 0f 5a 43 04 0f 11 43 40  # cvtps2pd xmm0, [ebx+4]; movups [ebx+0x40], xmm0
in: ebx=0x500000
mem: 0x00500000: 00 00 00 00 00 00 80 3f 00 00 00 c0
outmem: 0x00500040: 00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 00 c0

[movupd/lddqu misaligned: no fault]
code: 66 0f 10 43 01 f2 0f f0 4b 03 66 0f 11 43 40 66 0f 11 4b 50  # movupd xmm0, [ebx+1]; lddqu xmm1, [ebx+3]; movupd [ebx+0x40], xmm0; movupd [ebx+0x50], xmm1
in: ebx=0x500000
mem: 0x00500000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
mem: 0x00500010: 10 11 12 13
outmem: 0x00500040: 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10
outmem: 0x00500050: 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12
"""
os.chdir(tempfile.mkdtemp())
cases = []
TARGET = 'sse'  # the .cases file the following C() calls go to
def C(name, body, inp, regs_out=False, note=None, outlen=16):
    cases.append((name, body, inp, regs_out, note, TARGET, outlen))
def d(*xs): return b''.join(struct.pack('<d', x) for x in xs)
def f(*xs): return b''.join(struct.pack('<f', x) for x in xs)
def q(*xs): return b''.join(struct.pack('<Q', x) for x in xs)
def i32(*xs): return b''.join(struct.pack('<I', x & 0xffffffff) for x in xs)
A = bytes(range(0x10, 0x20)) ; B = bytes((0x80 + 7*i) & 0xff for i in range(16))
LD = "movdqu (B),%xmm0; movdqu 16(B),%xmm1; "
ST = "; movdqu %xmm0,0x40(B)"
def binop(op, a, b, name=None, note=None):
    C(name or f"{op} xmm0, xmm1", LD + f"{op} %xmm1,%xmm0" + ST, a + b, note=note)
def binmem(op, a, b):
    C(f"{op} xmm0, m128", "movdqu (B),%xmm0; " + f"{op} 16(B),%xmm0" + ST, a + b)
# moves
C("movdqu load/store", LD + "movdqa %xmm0,%xmm2; movdqu %xmm2,0x40(B)", A + B)
C("movdqa aligned load/store", "movdqa 16(B),%xmm3; movdqa %xmm3,0x40(B)", A + B)
C("movaps/movups/movapd/movupd", "movups (B),%xmm1; movaps %xmm1,%xmm4; movapd %xmm4,%xmm5; movupd %xmm5,0x40(B)", A + B)
C("movd xmm, m32 zero-extends", LD + "movd 16(B),%xmm0" + ST, A + B)
C("movd xmm, r32 and back", LD + "movl 20(B),%eax; movd %eax,%xmm0; movdqu %xmm0,0x40(B); movd %xmm1,%eax", A + B, True)
C("movd m32, xmm", LD + "movd %xmm1,0x40(B)", A + B)
C("movq xmm, m64 zero-extends", LD + "movq 16(B),%xmm0" + ST, A + B)
C("movq xmm, xmm zero-extends", LD + "movq %xmm1,%xmm0" + ST, A + B)
C("movq m64, xmm", LD + "movq %xmm1,0x40(B)", A + B)
C("movss xmm, xmm keeps upper", LD + "movss %xmm1,%xmm0" + ST, A + B)
C("movss xmm, m32 zero-extends", LD + "movss 16(B),%xmm0" + ST, A + B)
C("movss m32, xmm", LD + "movss %xmm1,0x40(B)", A + B)
C("movsd xmm, xmm keeps upper", LD + "movsd %xmm1,%xmm0" + ST, A + B)
C("movsd xmm, m64 zero-extends", LD + "movsd 16(B),%xmm0" + ST, A + B)
C("movsd m64, xmm", LD + "movsd %xmm1,0x40(B)", A + B)
# logic
for op in "pxor por pand pandn xorps xorpd andps andpd orps orpd".split():
    binop(op, A, B)
binmem("pxor", A, B)
# integer arithmetic
X = bytes([0xff,0x7f,0x80,0x01, 0xff,0xff,0x00,0x80, 0xff,0xff,0xff,0xff, 0xff,0xff,0xff,0x7f])
Y = bytes([0x01,0x01,0x80,0xff, 0x01,0x00,0x00,0x80, 0x01,0x00,0x00,0x00, 0x01,0x00,0x00,0x00])
for op in "paddb paddw paddd paddq psubb psubw psubd psubq".split():
    binop(op, X, Y)
binmem("paddd", X, Y)
E1 = bytes([1,2,3,4, 5,6,7,8, 9,10,11,12, 13,14,15,16])
E2 = bytes([1,0,3,0, 5,6,0,0, 9,10,11,12, 0,14,15,16])
for op in "pcmpeqb pcmpeqw pcmpeqd".split():
    binop(op, E1, E2)
C("pmovmskb eax, xmm", LD + "pmovmskb %xmm1,%eax", A + B, True)
C("pmovmskb eax, all set", "pcmpeqb %xmm2,%xmm2; pmovmskb %xmm2,%eax", b'', True)
for imm in (0x1b, 0x00, 0xe4, 0x4e):
    C(f"pshufd 0x{imm:02x}", LD + f"pshufd ${imm},%xmm1,%xmm0" + ST, A + B)
C("pshufd from m128", f"pshufd $0x39,16(B),%xmm0" + ST, A + B)
for op in "punpcklbw punpcklwd punpckldq punpcklqdq punpckhbw punpckhwd punpckhdq punpckhqdq".split():
    binop(op, A, B)
# shifts and packs
W = bytes([0x34,0x12, 0xff,0xff, 0x00,0x80, 0x01,0x00, 0x78,0x56, 0x00,0x7f, 0xcd,0xab, 0xef,0xbe])
for op in "psllw pslld psllq psrlw psrld psrlq psraw psrad".split():
    for c in (0, 1, 7, 15, 31, 63, 64):
        C(f"{op} xmm, {c}", LD + f"{op} ${c},%xmm0" + ST, W + B)
    for c in (3, 17, 0x100000000):
        C(f"{op} xmm, xmm count {c:#x}", LD + f"{op} %xmm1,%xmm0" + ST, W + q(c, 5))
for op in ("pslldq", "psrldq"):
    for c in (0, 1, 5, 15, 16):
        C(f"{op} xmm, {c}", LD + f"{op} ${c},%xmm0" + ST, W + B)
for op in ("packsswb", "packuswb", "packssdw"):
    binop(op, W, B)
# scalar double
D0 = d(1.5, 123.25); D1 = d(0.1, -7.0)
nan = float('nan'); inf = float('inf')
for op in "addsd subsd mulsd divsd sqrtsd".split():
    binop(op, D0, D1)
    binop(op, d(1e308, 3.0), d(1e308, 4.0), name=f"{op}: large")
binop("addsd", q(0x7ff0000000000001, 5), q(0x7ff8000000000123, 6), name="addsd: snan first operand quieted", note="qemu-i386 prefers the QNaN operand over a first-operand SNaN; hardware returns the first operand quieted")
binop("addsd", d(2.0, 5), q(0x7ff4000000000123, 6), name="addsd: second operand nan quieted")
binop("mulsd", d(0.0, 5), d(inf, 6), name="mulsd: 0*inf default nan")
binop("divsd", d(1.0, 5), d(-0.0, 6), name="divsd: 1/-0")
binop("divsd", d(1.0, 5), d(3.0, 6), name="divsd: 1/3 rounded to nearest")
binop("sqrtsd", d(1.0, 5), d(-1.0, 6), name="sqrtsd: negative")
binop("sqrtsd", d(1.0, 5), d(2.0, 6), name="sqrtsd: 2")
binop("subsd", d(5e-324, 5), d(-5e-324, 6), name="subsd: denormals")
binmem("addsd", D0, D1)
C("addsd xmm, m64", "movdqu (B),%xmm0; addsd 16(B),%xmm0" + ST, D0 + D1)
# scalar float
F0 = f(1.5, 2, 3, 4); F1 = f(0.1, 5, 6, 7)
for op in "addss subss mulss divss sqrtss".split():
    binop(op, F0, F1)
binop("addss", f(3e38,0,0,0), f(3e38,1,1,1), name="addss: overflow to inf")
binop("divss", f(1.0,0,0,0), f(3.0,1,1,1), name="divss: 1/3")
binop("addss", i32(0x7f800001,1,2,3), f(1.0,1,1,1), name="addss: snan quieted")
C("sqrtss xmm, m32", "movdqu (B),%xmm0; sqrtss 16(B),%xmm0" + ST, F0 + F1)
# conversions
for v in (0, 1, -1, 0x7fffffff, -0x80000000, 123456789):
    C(f"cvtsi2sd xmm, m32 {v}", "movdqu 16(B),%xmm0; cvtsi2sdl (B),%xmm0" + ST, i32(v,0,0,0) + d(9.0, 8.0))
C("cvtsi2sd xmm, r32", "movdqu 16(B),%xmm0; movl (B),%eax; cvtsi2sd %eax,%xmm0" + ST, i32(-77,0,0,0) + d(9.0, 8.0), True)
C("cvtsi2ss xmm, r32 rounds", "movdqu 16(B),%xmm0; movl (B),%eax; cvtsi2ss %eax,%xmm0" + ST, i32(0x7fffffc1,0,0,0) + f(9.0, 8.0, 7, 6), True)
for v in (1.9, -1.9, 2147483647.9, -2147483648.9, 2147483648.0, -2147483649.0, nan, inf, -0.0, 1e10):
    C(f"cvttsd2si {v}", "movdqu (B),%xmm1; cvttsd2si %xmm1,%eax", d(v, 0), True)
C("cvttsd2si r32, m64", "cvttsd2si (B),%eax", d(-123.75, 0), True)
for v in (2.5, 3.5, -2.5, 1.4999, 2147483647.4, 2147483647.6, nan):
    C(f"cvtsd2si {v} rounds to nearest even", "movdqu (B),%xmm1; cvtsd2si %xmm1,%eax", d(v, 0), True)
for v in (1.9, -2147483648.0, 2147483648.0, -2147483904.0, nan):
    C(f"cvttss2si {v}", "movdqu (B),%xmm1; cvttss2si %xmm1,%eax", f(v, 0, 0, 0), True)
C("cvtss2si 2.5", "movdqu (B),%xmm1; cvtss2si %xmm1,%eax", f(2.5, 0, 0, 0), True)
for name, v in (("0.1", d(0.1, 7)), ("1e300 overflows", d(1e300, 7)), ("nan payload", q(0xfff123456789abcd, 7)), ("tiny", d(1e-40, 7))):
    C(f"cvtsd2ss {name}", LD + "cvtsd2ss %xmm1,%xmm0" + ST, F0 + v)
for name, v in (("0.1", f(0.1, 1, 2, 3)), ("snan payload", i32(0xff812345, 1, 2, 3)), ("denormal", i32(1, 1, 2, 3))):
    C(f"cvtss2sd {name}", LD + "cvtss2sd %xmm1,%xmm0" + ST, D0 + v)
C("cvtss2sd xmm, m32", "movdqu (B),%xmm0; cvtss2sd 16(B),%xmm0" + ST, D0 + f(0.3, 1, 2, 3))
# comparisons: flags stored with setcc
FL = "; setz 0x40(B); setp 0x41(B); setc 0x42(B); seto 0x43(B); sets 0x44(B)"
PRE = "movl $0xffffffff,%eax; addl $0x7fffffff,%eax; movb $0x80,%al; addb %al,%al; "  # set OF/CF... stale flags
for op, mk in (("ucomisd", d), ("comisd", d)):
    for a, b2 in ((1.0, 2.0), (2.0, 1.0), (1.0, 1.0), (nan, 1.0), (0.0, -0.0), (-inf, inf)):
        C(f"{op} {a} {b2}", "movl $0x7fffffff,%eax; addl $1,%eax; " + LD + f"{op} %xmm1,%xmm0" + FL, mk(a, 0) + mk(b2, 0), True)
for op in ("ucomiss", "comiss"):
    for a, b2 in ((1.0, 2.0), (2.0, 1.0), (1.0, 1.0), (1.0, nan)):
        C(f"{op} {a} {b2}", "movl $0x7fffffff,%eax; addl $1,%eax; " + LD + f"{op} %xmm1,%xmm0" + FL, f(a, 0, 0, 0) + f(b2, 0, 0, 0), True)
C("ucomisd xmm, m64", "movl $0x7fffffff,%eax; addl $1,%eax; movdqu (B),%xmm0; ucomisd 16(B),%xmm0" + FL, d(3.0, 0) + d(3.0, 0), True)
# mxcsr
C("stmxcsr initial", "stmxcsr 0x40(B)", b'')
C("ldmxcsr/stmxcsr", "ldmxcsr (B); stmxcsr 0x40(B); ldmxcsr 4(B)", i32(0xffbf, 0x1f80))

# ==== SSE/SSE2 packed floating point, shuffles, conversions, the rest
# of the integer set (sse_packed.cases) ====
TARGET = 'sse_packed'
def mx(rc): return i32(0x1f80 | (rc << 13))
PA = f(1.5, -2.25, 0.0, -0.0); PB = f(0.1, 3.0, -0.0, 0.0)
PN = i32(0x7fc00001, 0x7f800001, 0xff800000, 0x00000001)
PM = i32(0x40000000, 0xffc00002, 0x7f800000, 0x80000003)
DA = d(1.5, -0.0); DB = d(0.1, 0.0)
DN = q(0x7ff0000000000001, 0x7ff8000000000002); DM = q(0x7ff8000000000003, 0x4000000000000000)
DZ = d(0.0, inf); DW = d(inf, -inf)
QN = "qemu-i386 prefers the QNaN operand over a first-operand SNaN; hardware returns the first operand quieted"
RQ = "qemu-i386 computes 1/x of denormal operands and does not flush tiny results to zero; hardware does"
for op in "addps subps mulps divps minps maxps".split():
    binop(op, PA, PB)
    binop(op, PN, PM, name=f"{op}: nan, inf, denormal", note=None if op[:3] in ("min", "max") else QN)
    binop(op, PM, PN, name=f"{op}: nan, inf, denormal swapped")
for op in "addpd subpd mulpd divpd minpd maxpd".split():
    binop(op, DA, DB)
    binop(op, DN, DM, name=f"{op}: snan/qnan operands", note=None if op[:3] in ("min", "max") else QN)
    binop(op, DZ, DW, name=f"{op}: zero and infinities")
for op in "minss maxss minsd maxsd".split():
    binop(op, PN, PM, name=f"{op}: nan first")
    binop(op, PB, PA, name=f"{op}: zeros")
binmem("addps", PA, PB); binmem("mulpd", DA, DB)
binop("sqrtps", PA, f(4.0, -1.0, -0.0, 2.0))
binop("sqrtps", PA, PN, name="sqrtps: nan, -inf, denormal")
binop("sqrtpd", DA, d(2.0, -0.0))
binop("sqrtpd", DA, q(0x7ff0000000000005, 0xbff0000000000000), name="sqrtpd: snan, -1")
binmem("sqrtps", PA, f(9.0, 16.0, 0.25, 1e-40))
binop("rcpps", PA, f(inf, -0.0, 0.0, -inf), name="rcpps: zeros and infinities")
binop("rcpps", PA, i32(0x7f800001, 0x00000001, 0x80000001, 0x7fc00000), name="rcpps: nan and denormals")
binop("rcpps", PA, i32(0x7f000000, 0xff7fffff, 0x7e900000, 0xfe800001), name="rcpps: results below the normal range", note=RQ)
binop("rsqrtps", PA, f(inf, -0.0, 0.0, -1.0), name="rsqrtps: zeros, inf, negative")
binop("rsqrtps", PA, i32(0xff800000, 0x00000001, 0x80000001, 0xffc00001), name="rsqrtps: -inf, denormals, nan", note=RQ)
binop("rcpss", PA, f(inf, 1, 2, 3), name="rcpss: inf keeps upper")
binop("rsqrtss", PA, f(-0.0, 1, 2, 3), name="rsqrtss: -0 keeps upper")
binop("andnps", A, B); binop("andnpd", A, B)
CA = f(1.0, 2.0, nan, 3.0); CB = f(1.0, 1.0, 1.0, 4.0)
CDA = d(1.0, 2.0); CDB = d(1.0, 1.0); CDC = d(nan, 3.0); CDD = d(1.0, 4.0)
for p in range(8):
    C(f"cmpps imm {p}", LD + f"cmpps ${p},%xmm1,%xmm0" + ST, CA + CB)
    C(f"cmppd imm {p}: equal, greater", LD + f"cmppd ${p},%xmm1,%xmm0" + ST, CDA + CDB)
    C(f"cmppd imm {p}: unordered, less", LD + f"cmppd ${p},%xmm1,%xmm0" + ST, CDC + CDD)
    C(f"cmpss imm {p}: unordered keeps upper", LD + f"cmpss ${p},%xmm1,%xmm0" + ST, f(nan, 5, 6, 7) + CB)
    C(f"cmpsd imm {p}: less keeps upper", LD + f"cmpsd ${p},%xmm1,%xmm0" + ST, d(-1.0, 5.0) + CDB)
C("cmpps xmm, m128", f"movdqu (B),%xmm0; cmpps $2,16(B),%xmm0" + ST, CA + CB)
# shuffles, unpacks, masks
for imm in (0x1b, 0xe4, 0x4e, 0x00):
    C(f"shufps 0x{imm:02x}", LD + f"shufps ${imm},%xmm1,%xmm0" + ST, A + B)
for imm in range(4):
    C(f"shufpd {imm}", LD + f"shufpd ${imm},%xmm1,%xmm0" + ST, A + B)
C("shufps from m128", f"movdqu (B),%xmm0; shufps $0x93,16(B),%xmm0" + ST, A + B)
for op in "unpcklps unpckhps unpcklpd unpckhpd".split():
    binop(op, A, B)
for imm in (0x1b, 0xe4, 0x00, 0xff):
    C(f"pshuflw 0x{imm:02x}", LD + f"pshuflw ${imm},%xmm1,%xmm0" + ST, A + B)
    C(f"pshufhw 0x{imm:02x}", LD + f"pshufhw ${imm},%xmm1,%xmm0" + ST, A + B)
C("pshufhw from m128", f"pshufhw $0x1b,16(B),%xmm0" + ST, A + B)
C("movmskps eax, xmm", LD + "movmskps %xmm1,%eax", f(-1.0, 2.0, -0.0, nan), True)
C("movmskpd eax, xmm", LD + "movmskpd %xmm1,%eax", d(1.0, -2.0), True)
C("movmskpd eax, xmm both set", LD + "movmskpd %xmm1,%eax", d(-1.0, -2.0), True)
for i in (0, 3, 7, 9):
    C(f"pextrw eax, xmm, {i}", LD + f"pextrw ${i},%xmm1,%eax", A + B, True)
for i in (0, 5, 7, 8):
    C(f"pinsrw xmm, eax, {i}", LD + f"movl 16(B),%eax; pinsrw ${i},%eax,%xmm0" + ST, A + B, True)
C("pinsrw xmm, m16", LD + "pinsrw $2,18(B),%xmm0" + ST, A + B)
# half moves
C("movlps xmm, m64 keeps high", LD + "movlps 16(B),%xmm0" + ST, A + B)
C("movhps xmm, m64 keeps low", LD + "movhps 16(B),%xmm0" + ST, A + B)
C("movlpd xmm, m64", LD + "movlpd 24(B),%xmm0" + ST, A + B)
C("movhpd xmm, m64", LD + "movhpd 24(B),%xmm0" + ST, A + B)
C("movlps m64, xmm", LD + "movlps %xmm1,0x44(B)", A + B)
C("movhps m64, xmm", LD + "movhps %xmm1,0x44(B)", A + B)
C("movlpd/movhpd m64, xmm", LD + "movlpd %xmm1,0x40(B); movhpd %xmm0,0x48(B)", A + B)
C("movhlps", LD + "movhlps %xmm1,%xmm0" + ST, A + B)
C("movlhps", LD + "movlhps %xmm1,%xmm0" + ST, A + B)
C("movntdq/movntps/movntpd", LD + "movntdq %xmm1,0x40(B); movntps %xmm0,0x50(B); movntpd %xmm1,0x60(B)", A + B, outlen=48)
C("movnti", "movl 4(B),%eax; movnti %eax,0x44(B)", A + B, True)
C("maskmovdqu", LD + "lea 0x40(B),%DI; maskmovdqu %xmm1,%xmm0", A + bytes([0x80, 0, 0xff, 0x7f, 0x81, 1, 0, 0x80, 0, 0, 0, 0, 0xc0, 0, 0, 0xff]))
C("maskmovdqu all clear", LD + "lea 0x40(B),%DI; maskmovdqu %xmm1,%xmm0", A + bytes(16))
C("sfence/lfence/mfence/prefetch", LD + "sfence; lfence; mfence; prefetchnta (B); prefetcht0 16(B); prefetcht1 (B); prefetcht2 (B)" + ST, A + B)
# integer
S1 = bytes([0x7f,0x80,0xff,0x01, 0x00,0x80,0xff,0x7f, 0x10,0x20,0xf0,0x80, 0x01,0x00,0xfe,0xff])
S2 = bytes([0x01,0xff,0x01,0x7f, 0x01,0x80,0x01,0x80, 0xf0,0x70,0x10,0x80, 0xff,0xff,0x02,0x01])
for op in ("paddsb paddsw paddusb paddusw psubsb psubsw psubusb psubusw pcmpgtb pcmpgtw pcmpgtd "
           "pmullw pmulhw pmulhuw pmuludq pmaddwd pavgb pavgw psadbw pminub pmaxub pminsw pmaxsw").split():
    binop(op, S1, S2)
    binop(op, S2, S1, name=f"{op} xmm0, xmm1 swapped")
binmem("pmaddwd", S1, S2); binmem("psadbw", A, B)
binop("pmaddwd", bytes([0,0x80]*8), bytes([0,0x80]*8), name="pmaddwd: -32768 squared twice")
# conversions
for rc in range(4):
    C(f"cvtps2dq rc {rc}", f"ldmxcsr 32(B); movdqu (B),%xmm1; cvtps2dq %xmm1,%xmm0" + ST, f(2.5, -2.5, 1.5, -0.5) + f(0,0,0,0) + mx(rc))
    C(f"cvtpd2dq rc {rc}", f"ldmxcsr 32(B); movdqu (B),%xmm1; pcmpeqb %xmm0,%xmm0; cvtpd2dq %xmm1,%xmm0" + ST, d(3.5, -0.5) + d(0, 0) + mx(rc))
    C(f"cvtsd2si rc {rc}", f"ldmxcsr 32(B); movdqu (B),%xmm1; cvtsd2si %xmm1,%eax", d(-7.5, 0) + d(0, 0) + mx(rc), True)
    C(f"cvtss2si rc {rc}", f"ldmxcsr 32(B); cvtss2si (B),%eax", f(6.25, 0, 0, 0) + f(0,0,0,0) + mx(rc), True)
    C(f"cvttps2dq ignores rc {rc}", f"ldmxcsr 32(B); movdqu (B),%xmm1; cvttps2dq %xmm1,%xmm0" + ST, f(2.5, -2.5, 1.9, -0.5) + f(0,0,0,0) + mx(rc))
C("cvtps2dq out of range, nan", "movdqu (B),%xmm1; cvtps2dq %xmm1,%xmm0" + ST, f(2147483648.0, -2147483648.0, nan, -inf))
C("cvttps2dq out of range, nan", "movdqu (B),%xmm1; cvttps2dq %xmm1,%xmm0" + ST, f(2147483520.0, -2147483904.0, inf, nan))
C("cvtpd2dq out of range", "movdqu (B),%xmm1; cvtpd2dq %xmm1,%xmm0" + ST, d(2147483647.5, -2147483648.5))
C("cvttpd2dq", "movdqu (B),%xmm1; pcmpeqb %xmm0,%xmm0; cvttpd2dq %xmm1,%xmm0" + ST, d(-1.9, 1e10))
C("cvttpd2dq xmm, m128", "cvttpd2dq (B),%xmm0" + ST, d(2147483647.9, -2147483648.9))
C("cvtdq2ps", "movdqu (B),%xmm1; cvtdq2ps %xmm1,%xmm0" + ST, i32(1, -1, 0x7fffffff, 16777217))
C("cvtdq2ps xmm, m128", "cvtdq2ps (B),%xmm0" + ST, i32(-0x80000000, 0, 0x7ffffff1, 3))
C("cvtdq2pd", "movdqu (B),%xmm1; cvtdq2pd %xmm1,%xmm0" + ST, i32(-0x80000000, 7, 9, 9))
C("cvtdq2pd xmm, m64", "cvtdq2pd (B),%xmm0" + ST, i32(0x7fffffff, -3))
C("cvtps2pd", LD + "cvtps2pd %xmm1,%xmm0" + ST, A + f(0.1, -0.0, 5, 5))
C("cvtps2pd nan payloads", LD + "cvtps2pd %xmm1,%xmm0" + ST, A + i32(0x7f800001, 0xffc12345, 5, 5))
C("cvtps2pd xmm, m64", "cvtps2pd (B),%xmm0" + ST, f(inf, 1e-40))
C("cvtpd2ps", LD + "cvtpd2ps %xmm1,%xmm0" + ST, A + d(0.1, 1e300))
C("cvtpd2ps nan payload, tiny", LD + "cvtpd2ps %xmm1,%xmm0" + ST, A + q(0xfff123456789abcd, 0x3800000000000001))
# MXCSR rounding also for the scalar forms checked above; arithmetic always rounds to nearest (documented)
# arithmetic and float-rounding conversions under MXCSR's other modes:
# RC down/up/toward zero, FTZ, DAZ (the host's SSE unit computes them)
MODES = (("rc down", 0x3f80), ("rc up", 0x5f80), ("rc zero", 0x7f80), ("ftz", 0x9f80), ("daz", 0x1fc0))
RA = f(1.0, -1.0, 1e-38, 1e-40); RB = f(3e-8, 3e-8, 0.3, 7.0)
RDA = d(1.0, 1e-310); RDB = d(3e-17, 0.3)
def MX(v): return i32(v)
for mname, mv in MODES:
    for op in "addps subps mulps divps sqrtps addss mulss divss sqrtss".split():
        C(f"{op} mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"{op} %xmm1,%xmm0" + ST, RA + RB + MX(mv))
    for op in "addpd subpd mulpd divpd sqrtpd subsd mulsd divsd sqrtsd".split():
        C(f"{op} mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"{op} %xmm1,%xmm0" + ST, RDA + RDB + MX(mv))
    C(f"cvtdq2ps mxcsr {mname}", "ldmxcsr 32(B); cvtdq2ps (B),%xmm0" + ST, i32(16777217, -16777219, 0x7fffffc1, 0x7fffffff) + f(0,0,0,0) + MX(mv))
    C(f"cvtsi2ss mxcsr {mname}", "ldmxcsr 32(B); movdqu 16(B),%xmm0; cvtsi2ssl (B),%xmm0" + ST, i32(-16777219, 0, 0, 0) + f(1, 2, 3, 4) + MX(mv))
    C(f"cvtpd2ps mxcsr {mname}", "ldmxcsr 32(B); cvtpd2ps (B),%xmm0" + ST, d(0.1, -1e-45) + f(0,0,0,0) + MX(mv))
    C(f"cvtsd2ss mxcsr {mname}", "ldmxcsr 32(B); movdqu 16(B),%xmm0; cvtsd2ss (B),%xmm0" + ST, d(-0.1, 0) + f(1, 2, 3, 4) + MX(mv))
# DAZ in the operations the host does not run in the guest's mode
DZA = i32(0x00000001, 0x80400000, 0x00000000, 0x3f800000); DZB = i32(0x80000000, 0x00000000, 0x00000002, 0x00000003)
DZD = q(0x0000000000000001, 0x800fffffffffffff); DZE = q(0x8000000000000000, 0x0000000000000000)
for mname, mv in (("default", 0x1f80), ("rc up", 0x5f80), ("daz", 0x1fc0), ("daz rc up", 0x5fc0)):
    for op in "minps maxps minss maxss".split():
        C(f"{op} denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"{op} %xmm1,%xmm0" + ST, DZA + DZB + MX(mv),
          note="qemu-i386 returns MINPS/MAXPS's denormal operand unflushed under DAZ; hardware returns zero" if op[-2:] == "ps" and "daz" in mname else None)
    for op in "minpd maxpd minsd maxsd".split():
        C(f"{op} denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"{op} %xmm1,%xmm0" + ST, DZD + DZE + MX(mv))
    for p in (0, 1, 2, 4):
        C(f"cmpps imm {p} denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"cmpps ${p},%xmm1,%xmm0" + ST, DZA + DZB + MX(mv))
        C(f"cmpsd imm {p} denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"cmpsd ${p},%xmm1,%xmm0" + ST, DZD + DZE + MX(mv))
    C(f"comiss denormals mxcsr {mname}", "ldmxcsr 32(B); movl $0x7fffffff,%eax; addl $1,%eax; " + LD + "comiss %xmm1,%xmm0" + FL, DZA + DZB + MX(mv), True)
    C(f"ucomisd denormals mxcsr {mname}", "ldmxcsr 32(B); movl $0x7fffffff,%eax; addl $1,%eax; " + LD + "ucomisd %xmm1,%xmm0" + FL, DZD + DZE + MX(mv), True)
    C(f"cvtps2pd denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + "cvtps2pd %xmm0,%xmm0" + ST, DZA + DZB + MX(mv))
    C(f"cvtss2sd denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + "cvtss2sd %xmm0,%xmm1; movdqu %xmm1,0x40(B)", DZA + DZB + MX(mv))
    C(f"cvtps2dq denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + "cvtps2dq %xmm0,%xmm0" + ST, DZA + DZB + MX(mv))
    C(f"cvtsd2si denormal mxcsr {mname}", "ldmxcsr 32(B); " + LD + "cvtsd2si %xmm0,%eax", DZD + DZE + MX(mv), True)
    C(f"cvtpd2ps denormals mxcsr {mname}", "ldmxcsr 32(B); " + LD + "cvtpd2ps %xmm0,%xmm0" + ST, DZD + DZE + MX(mv))
C("addps rc up then default in one unit", "ldmxcsr 32(B); " + LD + "movaps %xmm0,%xmm2; addps %xmm1,%xmm0; ldmxcsr 36(B); addps %xmm1,%xmm2; movdqu %xmm2,0x50(B)" + ST, RA + RB + MX(0x5f80) + MX(0x1f80), outlen=32)
# ==== MMX and the x87 aliasing (mmx.cases) ====
TARGET = 'mmx'
LM = "movq (B),%mm0; movq 8(B),%mm1; "
SM = "; movq %mm0,0x40(B)"
def mbin(op, a, b, name=None, note=None):
    C(name or f"{op} mm0, mm1", LM + f"{op} %mm1,%mm0" + SM, a + b, note=note)
X8, Y8 = X[:8], Y[:8]
S18, S28 = S1[:8], S2[:8]
for op in ("paddb paddw paddd paddq psubb psubw psubd psubq paddsb paddsw paddusb paddusw "
           "psubsb psubsw psubusb psubusw pcmpeqb pcmpeqw pcmpeqd pcmpgtb pcmpgtw pcmpgtd "
           "pand pandn por pxor pmullw pmulhw pmulhuw pmuludq pmaddwd pavgb pavgw psadbw "
           "pminub pmaxub pminsw pmaxsw packsswb packssdw packuswb punpcklbw punpcklwd "
           "punpckldq punpckhbw punpckhwd punpckhdq").split():
    mbin(op, S18, S28)
    mbin(op, S28, S18, name=f"{op} mm0, mm1 swapped")
C("paddw mm, m64", "movq (B),%mm0; paddw 8(B),%mm0" + SM, S18 + S28)
W8 = W[:8]
for op in "psllw pslld psllq psrlw psrld psrlq psraw psrad".split():
    for c in (0, 1, 15, 31, 63, 64):
        C(f"{op} mm, {c}", "movq (B),%mm0; " + f"{op} ${c},%mm0" + SM, W8)
    for c in (3, 33, 0x100000000):
        C(f"{op} mm, mm count {c:#x}", LM + f"{op} %mm1,%mm0" + SM, W8 + q(c))
C("psllq mm, m64 count", "movq (B),%mm0; psllq 8(B),%mm0" + SM, W8 + q(12))
for imm in (0x1b, 0xe4, 0x00):
    C(f"pshufw 0x{imm:02x}", LM + f"pshufw ${imm},%mm1,%mm0" + SM, A[:8] + B[:8])
C("pshufw from m64", f"pshufw $0x4e,8(B),%mm0" + SM, A[:8] + B[:8])
C("pmovmskb eax, mm", LM + "pmovmskb %mm1,%eax", A[:8] + B[:8], True)
for i in (0, 3, 5):
    C(f"pextrw eax, mm, {i}", LM + f"pextrw ${i},%mm1,%eax", A[:8] + B[:8], True)
C("pinsrw mm, eax, 6", LM + "movl 8(B),%eax; pinsrw $6,%eax,%mm0" + SM, A[:8] + B[:8], True)
C("pinsrw mm, m16, 1", LM + "pinsrw $1,10(B),%mm0" + SM, A[:8] + B[:8])
# moves
C("movd mm, m32 zero-extends", LM + "movd 8(B),%mm0" + SM, A[:8] + B[:8])
C("movd mm, r32 and back", LM + "movl 12(B),%eax; movd %eax,%mm0; movq %mm0,0x40(B); movd %mm1,%eax", A[:8] + B[:8], True)
C("movd m32, mm", LM + "movd %mm1,0x40(B)", A[:8] + B[:8])
C("movq mm, mm and m64, mm", LM + "movq %mm1,%mm2; movq %mm2,0x40(B); movq %mm0,0x48(B)", A[:8] + B[:8])
C("movntq", LM + "movntq %mm1,0x40(B)", A[:8] + B[:8])
C("movq2dq zero-extends", "movdqu 16(B),%xmm0; movq (B),%mm1; movq2dq %mm1,%xmm0" + ST, A + B)
C("movdq2q", "movdqu 16(B),%xmm1; movdq2q %xmm1,%mm0" + SM, A + B)
C("maskmovq", LM + "lea 0x40(B),%DI; maskmovq %mm1,%mm0", A[:8] + bytes([0x80, 0, 0xff, 0x7f, 0x81, 1, 0, 0x80]))
# conversions with mm operands
C("cvtpi2ps keeps high", "movdqu 16(B),%xmm0; movq (B),%mm1; cvtpi2ps %mm1,%xmm0" + ST, i32(-3, 0x7fffffc1, 0, 0) + f(1, 2, 3, 4))
C("cvtpi2ps xmm, m64", "movdqu 16(B),%xmm0; cvtpi2ps (B),%xmm0" + ST, i32(16777217, -1, 0, 0) + f(1, 2, 3, 4))
C("cvtpi2pd", "movq (B),%mm1; cvtpi2pd %mm1,%xmm0" + ST, i32(-0x80000000, 5))
C("cvtpi2pd xmm, m64", "cvtpi2pd (B),%xmm0" + ST, i32(0x7fffffff, -5))
C("cvtps2pi", "movdqu (B),%xmm1; cvtps2pi %xmm1,%mm0" + SM, f(2.5, -1.5, 9, 9))
C("cvtps2pi rc down", "ldmxcsr 32(B); movdqu (B),%xmm1; cvtps2pi %xmm1,%mm0" + SM, f(2.5, -1.5, 9, 9) + f(0,0,0,0) + mx(1))
C("cvttps2pi", "cvttps2pi (B),%mm0" + SM, f(-2.9, nan))
C("cvtpd2pi", "movdqu (B),%xmm1; cvtpd2pi %xmm1,%mm0" + SM, d(-2.5, 3e9))
C("cvttpd2pi", "cvttpd2pi (B),%mm0" + SM, d(-2.9, 2147483647.9))
# x87 aliasing: TOP = 0 and all tags valid after an MMX instruction;
# writes set the sign/exponent to 0xffff; EMMS empties all
FX = "; fnstsw %ax; movw %ax,0x40(B); fxsave 0x100(B); movb 0x104(B),%al; movb %al,0x42(B)"
C("mmx write: top 0, tags valid", "fld1; fld1; fld1; movq (B),%mm5" + FX, A, True)
C("mmx read only: top 0, tags valid", "fldz; movq %mm7,0x48(B)" + FX, A, True)
C("emms: all empty", "fld1; movq (B),%mm2; emms" + FX, A, True)
QX = "qemu-i386 leaves the x87 sign/exponent bits alone on MMX writes; hardware sets them to all ones"
C("mmx write: sign/exponent all ones", "movq (B),%mm0; fstpt 0x40(B)", A, note=QX)
C("mmx: st0 is mm at top 0", "fld1; fld1; movq (B),%mm0; movq 8(B),%mm1; fstpt 0x40(B); fstpt 0x50(B)", A, outlen=32, note=QX)
C("x87 value read as mm", "fldpi; fld1; movq %mm7,0x40(B); movq %mm6,0x48(B)", A)
ALL8 = "movq (B),%mm0; movq %mm0,%mm1; movq %mm0,%mm2; movq %mm0,%mm3; movq %mm0,%mm4; movq %mm0,%mm5; movq %mm0,%mm6; movq %mm0,%mm7; "
TW = "; fnstenv 0x50(B); movzwl 0x58(B),%eax; movw %ax,0x40(B)"
C("mmx: fnstenv tag word", ALL8 + "emms; fld1; movq 8(B),%mm0" + TW, A, True)
C("emms: fnstenv tag word", ALL8 + "emms" + TW, A, True)

# ==== SSE3 and SSSE3 (ssse3.cases) ====
TARGET = 'ssse3'
for op in "addsubps haddps hsubps".split():
    binop(op, f(1.5, -2.0, 3.25, 1e30), f(0.5, 4.0, -1.0, -1e30))
    binop(op, PN, PM, name=f"{op}: nans", note=QN)
for op in "addsubpd haddpd hsubpd".split():
    binop(op, d(1.5, -2.0), d(0.25, 8.0))
    binop(op, DN, DM, name=f"{op}: nans", note=QN)
binmem("haddps", f(1, 2, 3, 4), f(10, 20, 30, 40))
for mname, mv in MODES:
    for op in "haddps addsubps hsubpd addsubpd".split():
        v = RA + RB if op.endswith("ps") else RDA + RDB
        C(f"{op} mxcsr {mname}", "ldmxcsr 32(B); " + LD + f"{op} %xmm1,%xmm0" + ST, v + MX(mv))
C("movddup xmm, xmm", LD + "movddup %xmm1,%xmm0" + ST, A + B)
C("movddup xmm, m64", "movddup 24(B),%xmm0" + ST, A + B)
C("movshdup", LD + "movshdup %xmm1,%xmm0" + ST, A + B)
C("movsldup xmm, m128", "movsldup 16(B),%xmm0" + ST, A + B)
C("lddqu misaligned", "lddqu 3(B),%xmm0" + ST, A + B)
C("fisttp m32 truncates", "fldl (B); fisttpl 0x40(B); fldl 8(B); fisttpl 0x44(B)", d(-2.9, 7.99))
for op in ("pshufb phaddw phaddd phaddsw phsubw phsubd phsubsw pmaddubsw pmulhrsw "
           "psignb psignw psignd pabsb pabsw pabsd").split():
    binop(op, S1, S2)
    binop(op, S2, S1, name=f"{op} xmm0, xmm1 swapped")
    mbin(op, S18, S28)
binop("phaddsw", bytes([0xff,0x7f]*8), bytes([0x00,0x80]*8), name="phaddsw saturates")
binop("pmaddubsw", bytes([0xff]*16), bytes([0x80, 0x80, 0x7f, 0x7f]*4), name="pmaddubsw saturates")
binop("pmulhrsw", bytes([0x00,0x80]*8), bytes([0x00,0x80]*8), name="pmulhrsw -1 * -1")
binmem("pshufb", A, bytes([15, 0x80, 3, 0x8f, 0x10, 1, 2, 0x7f, 9, 9, 9, 0, 0xff, 5, 6, 7]))
for imm in (0, 1, 5, 15, 16, 17, 31, 32, 200):
    C(f"palignr xmm {imm}", LD + f"palignr ${imm},%xmm1,%xmm0" + ST, A + B)
for imm in (0, 3, 8, 15, 16):
    C(f"palignr mm {imm}", LM + f"palignr ${imm},%mm1,%mm0" + SM, A[:8] + B[:8])

# ---- build host program ----
prog = ['#include <stdio.h>\n#include <string.h>\nstatic unsigned char buf[1024] __attribute__((aligned(64)));\nint main(void){\nunsigned eax;']
for k, (name, body, inp, regs, note, target, outlen) in enumerate(cases):
    hb = body.replace("B", "%%rbx").replace("DI", "rdi").replace("%", "%%").replace("%%%%", "%%")
    if target == 'mmx':  # x87 state as a new process has it
        hb = 'fninit; ' + hb + '; emms'  # the host's own x87 state (not part of the case)
    init = ','.join(str(x) for x in inp) or '0'
    prog.append(f'{{ static const unsigned char in[] = {{{init}}}; memset(buf,0,sizeof buf); memcpy(buf,in,{len(inp)}); eax=0; {{ unsigned m=0x1f80; __asm__ volatile("ldmxcsr %0"::"m"(m)); }}')
    prog.append(f'__asm__ volatile("{hb}" : "+a"(eax) : "b"(buf) : "memory","cc","rdi","xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","mm0","mm1","mm2","mm3","mm4","mm5","mm6","mm7","st","st(1)","st(2)","st(3)","st(4)","st(5)","st(6)","st(7)");')
    prog.append(f'printf("%d %u", {k}, eax); for(int i=0;i<{outlen};i++) printf(" %02x", buf[64+i]); printf("\\n"); }}')
prog.append('return 0;}')
open('host.c','w').write('\n'.join(prog))
subprocess.check_call(['gcc','-O0','-o','host','host.c'])
res = {}
for line in subprocess.check_output(['./host']).decode().split('\n'):
    if line:
        p = line.split(); res[int(p[0])] = (int(p[1]), p[2:])
outs = {}
for k, (name, body, inp, regs, note, target, outlen) in enumerate(cases):
    out = outs.setdefault(target, [])
    g = body.replace("B", "%ebx").replace("DI", "edi")
    src = '.code32\n' + g.replace('; ', '\n') + '\n'
    open('t.s','w').write(src)
    subprocess.check_call(['as','--32','-o','t.o','t.s'])
    subprocess.check_call(['objcopy','-O','binary','-j','.text','t.o','t.bin'])
    code = open('t.bin','rb').read()
    eax, mem = res[k]
    out.append(f'[{name}]')
    out.append('code: ' + ' '.join(f'{x:02x}' for x in code) + '  # ' + g.replace('%',''))
    out.append('in: ebx=0x500000')
    for off in range(0, len(inp), 16):
        out.append(f'mem: 0x{0x500000+off:08x}: ' + ' '.join(f'{x:02x}' for x in inp[off:off+16]))
    if regs:
        out.append(f'out: eax=0x{eax:x}')
    if 'DI' in body:  # lea 0x40(B),%DI
        out.append('out: edi=0x500040')
    for off in range(0, outlen, 16):
        out.append(f'outmem: 0x{0x500040+off:08x}: ' + ' '.join(mem[off:off+16]))
    if note: out.append('qemu: skip ' + note)
    out.append('')
for target, out in outs.items():
    head = HEADER if target == 'sse' else HEADERS[target]
    tail = FXSAVE if target == 'sse' else ALIGN_TAIL if target == 'sse_packed' else ''
    open(os.path.join(HERE, target + '.cases'), 'w').write(head + '\n'.join(out) + tail)
print(len(cases), "cases")
