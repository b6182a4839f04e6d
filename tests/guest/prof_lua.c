/* Runs a Lua script in Debian's stripped liblua5.4.so.0, opened with
 * dlopen (no headers or link-time library needed): the profiler must name
 * the library's code by file and offset (tests/cli/profile.sh lua). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

typedef void *(*newstate_fn)(void);
typedef void (*openlibs_fn)(void *);
typedef int (*loadstring_fn)(void *, const char *);
typedef int (*pcallk_fn)(void *, int, int, int, intptr_t, void *);

static const char script[] =
    "local t = {}\n"
    "for i = 1, 200000 do t[i] = (i * 7919) % 100003 end\n"
    "table.sort(t)\n"
    "local s = 0\n"
    "for r = 1, 20 do for i = 1, #t, 7 do s = (s + t[i] * r) % 1000003 end end\n"
    "print('lua says ' .. s)\n";

int main(void)
{
    void *lib = dlopen("liblua5.4.so.0", RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
    newstate_fn newstate = (newstate_fn)dlsym(lib, "luaL_newstate");
    openlibs_fn openlibs = (openlibs_fn)dlsym(lib, "luaL_openlibs");
    loadstring_fn loadstring = (loadstring_fn)dlsym(lib, "luaL_loadstring");
    pcallk_fn pcallk = (pcallk_fn)dlsym(lib, "lua_pcallk");
    if (!newstate || !openlibs || !loadstring || !pcallk) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        return 2;
    }
    void *L = newstate();
    openlibs(L);
    if (loadstring(L, script) != 0 || pcallk(L, 0, 0, 0, 0, NULL) != 0) {
        fprintf(stderr, "lua failed\n");
        return 1;
    }
    return 0;
}
