/* A string-keyed hash map (open addressing, arena-backed): symbol tables and collision checks. */
#ifndef RPCC_STRMAP_H
#define RPCC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct StrMapEntry {
    const char *key; /* not copied: must outlive the map */
    uint32_t key_length; /* keys come from source files, which are below 4 GiB */
    uint32_t hash;       /* of the key: compared before the key, and kept for growing the table */
    void *value;
} StrMapEntry;

typedef struct StrMap {
    Arena *arena;
    StrMapEntry *entries;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} StrMap;

void strmap_init(StrMap *map, Arena *arena);
void *strmap_get(const StrMap *map, const char *key, size_t key_length);
/* Inserts key -> value unless the key is present; returns the value now stored under the key (the old one if
 * it was present, so a caller can tell a duplicate by comparing with what it passed). */
void *strmap_put(StrMap *map, const char *key, size_t key_length, void *value);
/* Makes room for `count` keys in all, so that filling a map of known size never grows it step by step. */
void strmap_reserve(StrMap *map, size_t count);
/* Forgets every key; keeps the table for reuse unless it is much larger than what it held. */
void strmap_clear(StrMap *map);

#endif
