#include "strmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

void strmap_init(StrMap *map, Arena *arena) {
    memset(map, 0, sizeof *map);
    map->arena = arena;
}

/* Keys are short identifiers: read eight (or four) bytes at a time, the last word overlapping the one before it
 * rather than a byte loop for the tail, then mix the high bits down. No adversary, so no seed. */
static uint64_t load64(const char *bytes) {
    uint64_t word;
    memcpy(&word, bytes, 8);
    return word;
}

static uint32_t load32(const char *bytes) {
    uint32_t word;
    memcpy(&word, bytes, 4);
    return word;
}

uint32_t strmap_hash(const char *key, size_t length) {
    const uint64_t multiplier = 0x9E3779B97F4A7C15ull;
    uint64_t hash = length * 0xff51afd7ed558ccdull;
    if (length >= 8) {
        for (size_t i = 0; i + 8 < length; i += 8) {
            hash = (hash ^ load64(key + i)) * multiplier;
            hash ^= hash >> 32;
        }
        hash = (hash ^ load64(key + length - 8)) * multiplier;
    } else if (length >= 4) {
        hash = (hash ^ (load32(key) | (uint64_t)load32(key + length - 4) << 32)) * multiplier;
    } else if (length) {
        const unsigned char *bytes = (const unsigned char *)key;
        hash = (hash ^ (bytes[0] | (uint64_t)bytes[length / 2] << 8 | (uint64_t)bytes[length - 1] << 16)) * multiplier;
    }
    hash ^= hash >> 29;
    hash *= 0xbf58476d1ce4e5b9ull;
    return (uint32_t)(hash ^ hash >> 32);
}

/* memcmp(a, b, length) == 0 for short keys, a word at a time without a call (same overlapping reads). */
static inline bool keys_equal(const char *a, const char *b, size_t length) {
    if (length >= 8) {
        for (size_t i = 0; i + 8 < length; i += 8)
            if (load64(a + i) != load64(b + i)) return false;
        return load64(a + length - 8) == load64(b + length - 8);
    }
    if (length >= 4) return load32(a) == load32(b) && load32(a + length - 4) == load32(b + length - 4);
    for (size_t i = 0; i < length; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static inline StrMapEntry *find_slot(StrMapEntry *entries, size_t capacity, const char *key, size_t length,
                                     uint32_t hash) {
    size_t index = hash & (capacity - 1);
    for (;;) {
        StrMapEntry *entry = &entries[index];
        if (!entry->key || (entry->hash == hash && entry->key_length == length && keys_equal(entry->key, key, length)))
            return entry;
        index = (index + 1) & (capacity - 1);
    }
}

void *strmap_get(const StrMap *map, const char *key, size_t key_length) {
    if (!map->capacity) return NULL;
    return strmap_get_hashed(map, key, key_length, strmap_hash(key, key_length));
}

void *strmap_get_hashed(const StrMap *map, const char *key, size_t key_length, uint32_t hash) {
    if (!map->capacity) return NULL;
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length, hash);
    return entry->key ? entry->value : NULL;
}

/* Moves the entries into a table of `capacity` slots (a power of two, above the count). */
static void rehash(StrMap *map, size_t capacity) {
    StrMapEntry *entries = ARENA_ARRAY(map->arena, StrMapEntry, capacity);
    for (size_t i = 0; i < map->capacity; i++) {
        StrMapEntry *old = &map->entries[i];
        if (!old->key) continue;
        size_t index = old->hash & (capacity - 1);
        while (entries[index].key) index = (index + 1) & (capacity - 1);
        entries[index] = *old;
    }
    map->entries = entries;
    map->capacity = capacity;
}

void strmap_reserve(StrMap *map, size_t count) {
    size_t capacity = map->capacity ? map->capacity : 8;
    while (count * 4 > capacity * 3) capacity *= 2;
    if (capacity > map->capacity) rehash(map, capacity);
}

void strmap_clear(StrMap *map) {
    /* Clearing costs the table's size: a table much larger than what it held (once grown for a larger set of keys)
     * is dropped rather than cleared (its memory stays in the arena until that is freed). */
    if (map->capacity > 64 && map->capacity > 16 * map->count) {
        map->entries = NULL;
        map->capacity = 0;
    } else if (map->count) {
        memset(map->entries, 0, map->capacity * sizeof *map->entries);
    }
    map->count = 0;
}

void *strmap_put(StrMap *map, const char *key, size_t key_length, void *value) {
    return strmap_put_hashed(map, key, key_length, strmap_hash(key, key_length), value);
}

void *strmap_put_hashed(StrMap *map, const char *key, size_t key_length, uint32_t hash, void *value) {
    if ((map->count + 1) * 4 > map->capacity * 3) rehash(map, map->capacity ? map->capacity * 2 : 8);
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length, hash);
    if (entry->key) return entry->value;
    entry->key = key;
    entry->key_length = (uint32_t)key_length;
    entry->hash = hash;
    entry->value = value;
    map->count++;
    return value;
}
