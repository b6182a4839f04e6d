/* Internal to interp/: the decoded instruction and the executor. */
#ifndef R386_INTERP_INTERNAL_H
#define R386_INTERP_INTERNAL_H

#include <Zydis/Zydis.h>

#include "interp.h"

/* An operand as the executor reads it: what Zydis decoded, compacted
 * (decoded blocks are kept, interp.c). */
struct interp_operand {
    uint8_t type;  /* ZydisOperandType */
    uint8_t size;  /* bits (up to 128: SSE moves) */
    uint8_t scale; /* memory: index scale */
    uint16_t reg;  /* ZydisRegister: a register operand, or memory's base */
    uint16_t index, segment; /* memory */
    uint32_t imm;  /* immediate (Zydis's value.u truncated), or memory's
                    * displacement */
};

/* Operands kept: the visible ones and the hidden ones after them that the
 * executor reads (a shift's implicit count of 1). */
#define INTERP_MAX_OPS 3

struct interp_insn {
    guest_addr_t pc;
    guest_addr_t target;   /* a relative branch's absolute target */
    uint16_t mnemonic;     /* ZydisMnemonic */
    uint8_t length;
    uint8_t operand_width;
    uint8_t visible;       /* visible operands */
    uint8_t cc;            /* Jcc/SETcc/CMOVcc: the condition, else 0xff */
    uint8_t kind;          /* enum interp_kind */
    bool relative;         /* op[0] is a relative branch target */
    bool ends;             /* the instruction ends a block */
    bool lock;             /* LOCK prefix (read-modify-writes of memory) */
    uint8_t rep;           /* string instructions: enum interp_rep */
    uint16_t seg;          /* string instructions: the source's segment
                            * register; KIND_SEG: the enum cpu_seg moved */
    struct interp_operand op[INTERP_MAX_OPS];
};

enum interp_kind { KIND_PLAIN, KIND_JCC, KIND_SETCC, KIND_CMOVCC,
                   KIND_STRING, KIND_SSE, KIND_SEG };
/* How a string instruction repeats: once, while ECX != 0, and also while
 * ZF is 1 / 0 (lifter/string.c). */
enum interp_rep { REP_NONE, REP_ALL, REP_WHILE_EQ, REP_WHILE_NE };

/* interp_exec's result for an instruction that does not end the block. */
#define INTERP_NEXT (-2)

/* Does the executor take this instruction?  Then compact it into out. */
bool interp_decoded(const ZydisDecodedInstruction *i,
                    const ZydisDecodedOperand *ops, guest_addr_t pc,
                    const struct interp_calls *calls,
                    struct interp_insn *out);

/* Execute one instruction interp_decoded took: INTERP_NEXT, or the
 * block's exit (an enum cpu_exit, eip set). */
int interp_exec(struct cpu_state *s, const struct interp_insn *in,
                const struct interp_calls *calls);

#endif
