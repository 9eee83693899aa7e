#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Blocks are mapped from the system, not taken from malloc: their pages come zeroed (arena_alloc need not clear
 * what it hands out, since a block's memory is never reused), and freeing an arena gives its pages back at once
 * instead of leaving holes in malloc's heap (after lowering, the ASTs' megabytes stayed resident under the
 * backends' buffers). A block's untouched pages cost no memory. */
#define ARENA_BLOCK_SIZE (1024 * 1024)
_Static_assert(_Alignof(void *) <= ARENA_ALIGNMENT && _Alignof(double) <= ARENA_ALIGNMENT &&
                   _Alignof(long long) <= ARENA_ALIGNMENT,
               "arena alignment too small for the objects it holds");

void arena_init(Arena *arena) {
    arena->head = NULL;
    arena->block_count = 0;
    arena->spare = NULL;
    arena->children = arena->next_child = NULL;
}

void arena_free(Arena *arena) {
    /* Children first: a child's Arena struct may live in this arena's blocks. */
    for (Arena *child = arena->children; child;) {
        Arena *next = child->next_child;
        arena_free(child);
        child = next;
    }
    arena->children = NULL;
    arena_drop_spare(arena);
    ArenaBlock *block = arena->head;
    while (block) {
        ArenaBlock *next = block->next;
        munmap(block, sizeof(ArenaBlock) + block->capacity);
        block = next;
    }
    arena->head = NULL;
}

void arena_adopt(Arena *parent, Arena *child) {
    child->next_child = parent->children;
    parent->children = child;
}

/* Zeroes the first `used` bytes of a block's data with 16-byte stores: memset's `rep stosb` costs one
 * (valgrind-counted) instruction a byte, and this runs over megabytes. */
static void zero_used(ArenaBlock *block) {
    size_t used = (block->used + 63) / 64 * 64; /* within the capacity, a multiple of 64 */
    if (used > block->capacity) used = block->capacity;
#ifdef __SSE2__
    __m128i zero = _mm_setzero_si128();
    __m128i *at = (__m128i *)block->data, *end = (__m128i *)((char *)block->data + used);
    for (; at + 4 <= end; at += 4) {
        _mm_store_si128(at, zero);
        _mm_store_si128(at + 1, zero);
        _mm_store_si128(at + 2, zero);
        _mm_store_si128(at + 3, zero);
    }
    memset(at, 0, (size_t)((char *)end - (char *)at));
#else
    memset(block->data, 0, used);
#endif
    block->used = 0;
}

void arena_release_into(Arena *arena, size_t before, Arena *reuse) {
    /* A large object's block sits behind the head (arena_alloc_in_new_block) though it is newer than the blocks
     * after it: the serials, not the order of the list, say what is older. */
    ArenaBlock **link = &arena->head;
    while (*link) {
        ArenaBlock *block = *link;
        if (block->serial < before) {
            *link = block->next;
            if (reuse && block->capacity == ARENA_BLOCK_SIZE) {
                zero_used(block);
                block->next = reuse->spare;
                reuse->spare = block;
            } else {
                munmap(block, sizeof(ArenaBlock) + block->capacity);
            }
        } else {
            link = &block->next;
        }
    }
}

void arena_release_before(Arena *arena, size_t before) { arena_release_into(arena, before, NULL); }

void arena_drop_spare(Arena *arena) {
    while (arena->spare) {
        ArenaBlock *next = arena->spare->next;
        munmap(arena->spare, sizeof(ArenaBlock) + arena->spare->capacity);
        arena->spare = next;
    }
}

static void *checked_map(size_t size) {
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    return memory;
}

/* `size` is already rounded to the alignment (by arena_alloc). */
void *arena_alloc_in_new_block(Arena *arena, size_t size) {
    ArenaBlock *block = arena->head;
    size_t capacity = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
    ArenaBlock *fresh;
    if (capacity == ARENA_BLOCK_SIZE && arena->spare) {
        fresh = arena->spare; /* zeroed by arena_release_into */
        arena->spare = fresh->next;
    } else {
        fresh = checked_map(sizeof(ArenaBlock) + capacity);
    }
    fresh->used = 0;
    fresh->capacity = capacity;
    fresh->serial = ++arena->block_count;
    if (block && size > ARENA_BLOCK_SIZE) {
        /* A large object gets its own block behind the current one, so the current block's room is kept. */
        fresh->next = block->next;
        block->next = fresh;
    } else {
        fresh->next = block;
        arena->head = fresh;
    }
    block = fresh;
    void *result = (char *)block->data + block->used;
    block->used += size;
    return result; /* zeroed: fresh pages of the mapping */
}

char *arena_strndup(Arena *arena, const char *text, size_t len) {
    char *copy = arena_alloc(arena, len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

char *arena_strdup(Arena *arena, const char *text) { return arena_strndup(arena, text, strlen(text)); }

char *arena_printf(Arena *arena, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *result = arena_alloc(arena, (size_t)(len < 0 ? 0 : len) + 1);
    if (len > 0) vsnprintf(result, (size_t)len + 1, fmt, args);
    va_end(args);
    return result;
}
