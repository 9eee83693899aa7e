/* Arena allocation for the AST and the IR: one arena per compilation, freed at once. */
#ifndef RPCC_ARENA_H
#define RPCC_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;
    size_t block_count; /* blocks ever added: the next block's serial */
    ArenaBlock *spare;  /* zeroed blocks given by arena_release_before, used before new ones are mapped */
    /* Arenas freed with this one (arena_adopt): the parser's per-file arena of what lowering may free early. */
    struct Arena *children, *next_child;
} Arena;

/* Eight bytes suit every object the compiler allocates (pointers, 64-bit integers, doubles; no long double), and
 * halve the padding of max_align_t's sixteen: a large schema makes millions of small allocations. */
#define ARENA_ALIGNMENT 8

struct ArenaBlock {
    ArenaBlock *next;
    size_t serial; /* its arena's block_count when it was added: earlier blocks hold only earlier allocations */
    size_t used;
    size_t capacity;
    max_align_t data[];
};

void arena_init(Arena *arena);
/* Frees the arena's blocks, and its children's. */
void arena_free(Arena *arena);
/* `child` (itself in memory that outlives it, or in `parent`) is freed with `parent` from now on. */
void arena_adopt(Arena *parent, Arena *child);
/* The serial of the block the next small allocation goes to (arena_release_before). */
static inline size_t arena_position(const Arena *arena) { return arena->head ? arena->head->serial : 0; }
/* Frees the blocks added before position `before` (arena_position): everything allocated before the block that
 * was current at that point. Used by lowering to give back the ASTs of declarations already lowered. */
void arena_release_before(Arena *arena, size_t before);
/* The same, but the released blocks are zeroed and kept for `reuse`'s next blocks (arena_drop_spare gives back
 * those left): their pages are resident already, and a fresh page costs a fault and the kernel's zeroing. */
void arena_release_into(Arena *arena, size_t before, Arena *reuse);
void arena_drop_spare(Arena *arena);
/* arena_alloc's way when the current block has no room: a new block. */
void *arena_alloc_in_new_block(Arena *arena, size_t size);
char *arena_strndup(Arena *arena, const char *text, size_t len);
char *arena_strdup(Arena *arena, const char *text);
char *arena_printf(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Zeroed memory, aligned to 8 bytes (enough for pointers, 64-bit integers and doubles; not for long double).
 * Aborts with a message if memory is exhausted. Inline: the common case is a bump of the current block, whose
 * pages came zeroed from the system and are never handed out twice (support/arena.c). */
static inline void *arena_alloc(Arena *arena, size_t size) {
    size = size ? (size + ARENA_ALIGNMENT - 1) / ARENA_ALIGNMENT * ARENA_ALIGNMENT : ARENA_ALIGNMENT;
    ArenaBlock *block = arena->head;
    if (!block || block->capacity - block->used < size) return arena_alloc_in_new_block(arena, size);
    void *result = (char *)block->data + block->used;
    block->used += size;
    return result;
}

#define ARENA_NEW(arena, type) ((type *)arena_alloc((arena), sizeof(type)))
#define ARENA_ARRAY(arena, type, count) ((type *)arena_alloc((arena), sizeof(type) * (count)))

#endif
