/* Private to runtime/: the runtime object. */
#ifndef R386_RUNTIME_INTERNAL_H
#define R386_RUNTIME_INTERNAL_H

#include "guest_mem.h"
#include "loader.h"
#include "runtime.h"

struct runtime {
    struct guest_mem mem;
    struct image_info info;
    struct runtime_config cfg;
};

#endif
