/* Internal to interp/: the decoded instruction and the executor. */
#ifndef R386_INTERP_INTERNAL_H
#define R386_INTERP_INTERNAL_H

#include <Zydis/Zydis.h>

#include "interp.h"

/* Operands kept per instruction: the visible ones and the hidden ones
 * after them that the executor reads (a shift's implicit count of 1). */
#define INTERP_MAX_OPS 4

struct interp_insn {
    ZydisDecodedInstruction i;
    ZydisDecodedOperand op[INTERP_MAX_OPS];
    guest_addr_t pc;
};

/* interp_exec's result for an instruction that does not end the block. */
#define INTERP_NEXT (-2)

/* Does the executor take this instruction? */
bool interp_supported(const struct interp_insn *in);

/* Execute one supported instruction: INTERP_NEXT, or the block's exit (an
 * enum cpu_exit, eip set). */
int interp_exec(struct cpu_state *s, const struct interp_insn *in);

/* Does the instruction end a block (a control transfer, int)? */
bool interp_ends_block(const ZydisDecodedInstruction *i);

#endif
