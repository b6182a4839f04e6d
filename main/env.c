/* The guest environment list and its -E/-U edits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

static int find(const struct env_list *env, const char *name, size_t len)
{
    for (int i = 0; i < env->count; i++)
        if (strncmp(env->vars[i], name, len) == 0 && env->vars[i][len] == '=')
            return i;
    return -1;
}

int env_init(struct env_list *env, char *const *host)
{
    env->count = 0;
    env->vars = calloc(1, sizeof(char *));
    if (!env->vars)
        return -ENOMEM;
    for (; host && *host; host++) {
        int rc = env_set(env, *host);
        if (rc == -EINVAL)
            continue; /* a host entry without '=' is not passed on */
        if (rc < 0)
            return rc;
    }
    return 0;
}

int env_set(struct env_list *env, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return -EINVAL;
    char *copy = strdup(assignment);
    if (!copy)
        return -ENOMEM;
    int i = find(env, assignment, (size_t)(eq - assignment));
    if (i >= 0) {
        free(env->vars[i]);
        env->vars[i] = copy;
        return 0;
    }
    char **v = realloc(env->vars, (size_t)(env->count + 2) * sizeof(char *));
    if (!v) {
        free(copy);
        return -ENOMEM;
    }
    env->vars = v;
    env->vars[env->count++] = copy;
    env->vars[env->count] = NULL;
    return 0;
}

void env_unset(struct env_list *env, const char *name)
{
    int i = find(env, name, strlen(name));
    if (i < 0)
        return;
    free(env->vars[i]);
    memmove(&env->vars[i], &env->vars[i + 1],
            (size_t)(env->count - i) * sizeof(char *));
    env->count--;
}

void env_free(struct env_list *env)
{
    for (int i = 0; i < env->count; i++)
        free(env->vars[i]);
    free(env->vars);
    env->vars = NULL;
    env->count = 0;
}
