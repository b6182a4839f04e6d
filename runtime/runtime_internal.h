/* Private to runtime/: the runtime object. */
#ifndef R386_RUNTIME_INTERNAL_H
#define R386_RUNTIME_INTERNAL_H

#include <pthread.h>

#include "guest_mem.h"
#include "jit.h"
#include "loader.h"
#include "runtime.h"
#include "thread.h"

struct runtime {
    struct guest_mem mem;
    struct image_info info;
    struct runtime_config cfg;
    struct jit *jit;
    /* The program break: [start_brk, brk) is mapped (page-rounded). */
    guest_addr_t brk;
    pthread_mutex_t mm_lock; /* mmap/brk bookkeeping */
    struct signal_process_state sig; /* the guest's signal actions */
    struct guest_thread main_thread;
};

#endif
