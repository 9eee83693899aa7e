#include "strmap.h"

#include <stdint.h>
#include <string.h>

void strmap_init(StrMap *map, Arena *arena) {
    memset(map, 0, sizeof *map);
    map->arena = arena;
}

/* FNV-1a: short keys, no adversary. */
static uint32_t hash_key(const char *key, size_t length) {
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < length; i++) hash = (hash ^ (unsigned char)key[i]) * 16777619u;
    return hash;
}

static StrMapEntry *find_slot(StrMapEntry *entries, size_t capacity, const char *key, size_t length, uint32_t hash) {
    size_t index = hash & (capacity - 1);
    for (;;) {
        StrMapEntry *entry = &entries[index];
        if (!entry->key ||
            (entry->hash == hash && entry->key_length == length && memcmp(entry->key, key, length) == 0))
            return entry;
        index = (index + 1) & (capacity - 1);
    }
}

void *strmap_get(const StrMap *map, const char *key, size_t key_length) {
    if (!map->capacity) return NULL;
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length, hash_key(key, key_length));
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
    if ((map->count + 1) * 4 > map->capacity * 3) rehash(map, map->capacity ? map->capacity * 2 : 8);
    uint32_t hash = hash_key(key, key_length);
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length, hash);
    if (entry->key) return entry->value;
    entry->key = key;
    entry->key_length = (uint32_t)key_length;
    entry->hash = hash;
    entry->value = value;
    map->count++;
    return value;
}
