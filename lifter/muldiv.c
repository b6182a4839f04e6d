/* Instruction class "muldiv": not lifted yet -- every instruction here ends
 * its unit with SIGILL.  TODO(issue 3). */
#include "lift_internal.h"

bool lift_muldiv(struct lift_ctx *lc)
{
    return false;
}
