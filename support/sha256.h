/* SHA-256 (FIPS 180-4), for the contract hash (ir/contract.c): small, dependency-free, and the same digest every
 * language computes with its standard library. */
#ifndef RPCC_SHA256_H
#define RPCC_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t block_used;
} Sha256;

void sha256_init(Sha256 *sha);
void sha256_update(Sha256 *sha, const void *bytes, size_t length);
void sha256_final(Sha256 *sha, unsigned char digest[32]);
/* The digest of `bytes` as 64 lower-case hexadecimal digits and a NUL. */
void sha256_hex(const void *bytes, size_t length, char hex[65]);

/* Whether the x86 SHA extensions compute the digests (the CPU has them, detected once, and the portable code is
 * not forced); false elsewhere, and under valgrind, whose CPU hides them. */
bool sha256_accelerated(void);
/* For tests: true makes every digest use the portable code, false gives the choice back to the CPU check. */
void sha256_force_portable(bool portable);
/* For tests: true makes the portable code the generic C one, not the BMI2 build of it the CPU check may choose. */
void sha256_force_generic(bool generic);

#endif
