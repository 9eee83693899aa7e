/* Arena allocation for the AST and the IR: one arena per compilation, freed at once. */
#ifndef RPCC_ARENA_H
#define RPCC_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;
} Arena;

void arena_init(Arena *arena);
void arena_free(Arena *arena);
/* Zeroed memory, aligned to 8 bytes (enough for pointers, 64-bit integers and doubles; not for long double).
 * Aborts with a message if memory is exhausted. */
void *arena_alloc(Arena *arena, size_t size);
char *arena_strndup(Arena *arena, const char *text, size_t len);
char *arena_strdup(Arena *arena, const char *text);
char *arena_printf(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(arena, type) ((type *)arena_alloc((arena), sizeof(type)))
#define ARENA_ARRAY(arena, type, count) ((type *)arena_alloc((arena), sizeof(type) * (count)))

#endif
