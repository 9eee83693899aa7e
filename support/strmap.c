#include "strmap.h"

#include <stdint.h>
#include <string.h>

void strmap_init(StrMap *map, Arena *arena) {
    memset(map, 0, sizeof *map);
    map->arena = arena;
}

/* FNV-1a: short keys, no adversary. */
static uint64_t hash_key(const char *key, size_t length) {
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)key[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

static StrMapEntry *find_slot(StrMapEntry *entries, size_t capacity, const char *key, size_t length) {
    size_t index = (size_t)hash_key(key, length) & (capacity - 1);
    for (;;) {
        StrMapEntry *entry = &entries[index];
        if (!entry->key || (entry->key_length == length && memcmp(entry->key, key, length) == 0)) return entry;
        index = (index + 1) & (capacity - 1);
    }
}

void *strmap_get(const StrMap *map, const char *key, size_t key_length) {
    if (!map->capacity) return NULL;
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length);
    return entry->key ? entry->value : NULL;
}

void *strmap_put(StrMap *map, const char *key, size_t key_length, void *value) {
    if ((map->count + 1) * 4 > map->capacity * 3) {
        size_t capacity = map->capacity ? map->capacity * 2 : 8;
        StrMapEntry *entries = ARENA_ARRAY(map->arena, StrMapEntry, capacity);
        for (size_t i = 0; i < map->capacity; i++) {
            StrMapEntry *old = &map->entries[i];
            if (old->key) *find_slot(entries, capacity, old->key, old->key_length) = *old;
        }
        map->entries = entries;
        map->capacity = capacity;
    }
    StrMapEntry *entry = find_slot(map->entries, map->capacity, key, key_length);
    if (entry->key) return entry->value;
    entry->key = key;
    entry->key_length = key_length;
    entry->value = value;
    map->count++;
    return value;
}
