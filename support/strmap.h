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
/* The hash the map uses for a key: for a caller that looks one key up in several maps (the _hashed variants
 * take it instead of hashing the key again). */
uint32_t strmap_hash(const char *key, size_t key_length);
void *strmap_get_hashed(const StrMap *map, const char *key, size_t key_length, uint32_t hash);
void *strmap_put_hashed(StrMap *map, const char *key, size_t key_length, uint32_t hash, void *value);
/* Makes room for `count` keys in all, so that filling a map of known size never grows it step by step. */
void strmap_reserve(StrMap *map, size_t count);
/* Forgets every key; keeps the table for reuse unless it is much larger than what it held. */
void strmap_clear(StrMap *map);

#endif
