/* A growable array of pointers in an arena (the old storage is simply left behind when it grows). */
#ifndef RPCC_VEC_H
#define RPCC_VEC_H

#include <stddef.h>

#include "arena.h"

typedef struct PtrVec {
    void **items;
    size_t count;
    size_t capacity;
} PtrVec;

void ptrvec_push(Arena *arena, PtrVec *vec, void *item);

#endif
