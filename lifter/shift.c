/* Instruction class "shift": not lifted yet -- every instruction here ends
 * its unit with SIGILL.  TODO(issue 3). */
#include "lift_internal.h"

bool lift_shift(struct lift_ctx *lc)
{
    return false;
}
