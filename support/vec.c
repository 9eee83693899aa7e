#include "vec.h"

#include <string.h>

void ptrvec_push(Arena *arena, PtrVec *vec, void *item) {
    if (vec->count == vec->capacity) {
        size_t capacity = vec->capacity ? vec->capacity * 2 : 4;
        void **items = ARENA_ARRAY(arena, void *, capacity);
        if (vec->count) memcpy(items, vec->items, vec->count * sizeof *items);
        vec->items = items;
        vec->capacity = capacity;
    }
    vec->items[vec->count++] = item;
}
