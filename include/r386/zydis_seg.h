/* Zydis's segment registers as r386's enum cpu_seg, for the components
 * that decode guest code with Zydis (lifter/, interp/). */
#ifndef R386_ZYDIS_SEG_H
#define R386_ZYDIS_SEG_H

#include <Zydis/Zydis.h>

#include "r386/cpu.h"

/* Zydis numbers them ES CS SS DS FS GS, the order of enum cpu_seg. */
_Static_assert(ZYDIS_REGISTER_GS - ZYDIS_REGISTER_ES == SEG_GS - SEG_ES &&
                   ZYDIS_REGISTER_DS - ZYDIS_REGISTER_ES == SEG_DS - SEG_ES,
               "Zydis segment register order");

/* The segment register reg names, or -1 for any other register. */
static inline int cpu_seg_of(ZydisRegister reg)
{
    if (reg < ZYDIS_REGISTER_ES || reg > ZYDIS_REGISTER_GS)
        return -1;
    return SEG_ES + (int)(reg - ZYDIS_REGISTER_ES);
}

/* The same for an operand: -1 unless it is a segment register. */
static inline int cpu_seg_of_operand(const ZydisDecodedOperand *op)
{
    return op->type == ZYDIS_OPERAND_TYPE_REGISTER ? cpu_seg_of(op->reg.value)
                                                   : -1;
}

#endif
