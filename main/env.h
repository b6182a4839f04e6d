/* The guest environment: the host's, edited by -E VAR=VALUE and -U VAR as
 * qemu-user does.  Part of the command line. */
#ifndef R386_ENV_H
#define R386_ENV_H

struct env_list {
    char **vars; /* NULL-terminated, each malloc'd "NAME=VALUE" */
    int count;
};

__attribute__((warn_unused_result))
int env_init(struct env_list *env, char *const *host);
/* Set NAME=VALUE (replacing NAME if present); -EINVAL without '='. */
__attribute__((warn_unused_result))
int env_set(struct env_list *env, const char *assignment);
/* Remove NAME if present. */
void env_unset(struct env_list *env, const char *name);
void env_free(struct env_list *env);

#endif
