/* Instruction class "bcd": not lifted yet -- every instruction here ends
 * its unit with SIGILL.  TODO(issue 3). */
#include "lift_internal.h"

bool lift_bcd(struct lift_ctx *lc)
{
    return false;
}
