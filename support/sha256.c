#include "sha256.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_X86 1
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) ((uint32_t)((x) >> (n)) | (uint32_t)((x) << (32 - (n))))
/* The big sigmas as nested rotations (ROTR(ROTR(x, 11) ^ x, ...)): the same bits with fewer register copies. */
#define BIG_SIGMA0(a) ROTR(ROTR(ROTR((a), 9) ^ (a), 11) ^ (a), 2)
#define BIG_SIGMA1(e) ROTR(ROTR(ROTR((e), 14) ^ (e), 5) ^ (e), 6)
#define SMALL_SIGMA0(w) (ROTR(ROTR((w), 11) ^ (w), 7) ^ ((w) >> 3))
#define SMALL_SIGMA1(w) (ROTR(ROTR((w), 2) ^ (w), 17) ^ ((w) >> 10))
#define CHOICE(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
/* Majority as b ^ ((a ^ b) & (b ^ c)): a ^ b is the next round's b ^ c, so each round computes one of them. */
#define MAJORITY(b, a_xor_b, b_xor_c) ((b) ^ ((a_xor_b) & (b_xor_c)))
/* One round with the eight working variables renamed instead of moved: h becomes the new a, d the new e. `k` is the
 * round's place in its group of 16, a constant, so that the ring of schedule words is indexed without arithmetic. */
#define ROUND(a, b, c, d, e, f, g, h, k, a_xor_b, b_xor_c)                                                             \
    do {                                                                                                               \
        uint32_t t1 = h + BIG_SIGMA1(e) + CHOICE(e, f, g) + constants[k] + w[k];                                       \
        d += t1;                                                                                                       \
        a_xor_b = a ^ b;                                                                                               \
        h = t1 + BIG_SIGMA0(a) + MAJORITY(b, a_xor_b, b_xor_c);                                                        \
    } while (0)
/* The schedule word 16 places after w[k], in place of it. */
#define EXTEND(k) w[k] += SMALL_SIGMA1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + SMALL_SIGMA0(w[((k) + 1) & 15])
/* Sixteen rounds, each optionally extending the schedule word it reads first. */
#define SIXTEEN_ROUNDS(extend)                                                                                         \
    do {                                                                                                               \
        extend(0); ROUND(a, b, c, d, e, f, g, h, 0, even, odd);                                                        \
        extend(1); ROUND(h, a, b, c, d, e, f, g, 1, odd, even);                                                        \
        extend(2); ROUND(g, h, a, b, c, d, e, f, 2, even, odd);                                                        \
        extend(3); ROUND(f, g, h, a, b, c, d, e, 3, odd, even);                                                        \
        extend(4); ROUND(e, f, g, h, a, b, c, d, 4, even, odd);                                                        \
        extend(5); ROUND(d, e, f, g, h, a, b, c, 5, odd, even);                                                        \
        extend(6); ROUND(c, d, e, f, g, h, a, b, 6, even, odd);                                                        \
        extend(7); ROUND(b, c, d, e, f, g, h, a, 7, odd, even);                                                        \
        extend(8); ROUND(a, b, c, d, e, f, g, h, 8, even, odd);                                                        \
        extend(9); ROUND(h, a, b, c, d, e, f, g, 9, odd, even);                                                        \
        extend(10); ROUND(g, h, a, b, c, d, e, f, 10, even, odd);                                                      \
        extend(11); ROUND(f, g, h, a, b, c, d, e, 11, odd, even);                                                      \
        extend(12); ROUND(e, f, g, h, a, b, c, d, 12, even, odd);                                                      \
        extend(13); ROUND(d, e, f, g, h, a, b, c, 13, odd, even);                                                      \
        extend(14); ROUND(c, d, e, f, g, h, a, b, 14, even, odd);                                                      \
        extend(15); ROUND(b, c, d, e, f, g, h, a, 15, odd, even);                                                      \
    } while (0)
#define NO_EXTEND(k) (void)0

static uint32_t load_big_endian(const unsigned char *bytes) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t word;
    memcpy(&word, bytes, 4);
    return __builtin_bswap32(word);
#else
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
#endif
}

/* The portable compression of `count` consecutive 64-byte blocks: 16 rounds at a time, the message schedule kept
 * as a ring of 16 words, each extended just before the round that reads it. Inlined into two functions: the
 * generic one, and on x86 one compiled for BMI2, whose three-operand rotate (rorx) saves the register copies each
 * sigma's rotations take otherwise (about 2,530 instructions a block instead of 2,760). */
static inline __attribute__((always_inline)) void compress_scalar(uint32_t state[8], const unsigned char *blocks,
                                                                  size_t count) {
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (; count; count--, blocks += 64) {
        uint32_t w[16];
        for (int i = 0; i < 16; i++) w[i] = load_big_endian(blocks + 4 * i);
        const uint32_t *constants = round_constants;
        /* a ^ b of the last even and odd rounds; round 0 reads its b ^ c from `odd` */
        uint32_t even, odd = b ^ c;
        SIXTEEN_ROUNDS(NO_EXTEND);
        constants += 16; /* written out, not a loop: each round adds its constant as an immediate */
        SIXTEEN_ROUNDS(EXTEND);
        constants += 16;
        SIXTEEN_ROUNDS(EXTEND);
        constants += 16;
        SIXTEEN_ROUNDS(EXTEND);
        a = state[0] += a;
        b = state[1] += b;
        c = state[2] += c;
        d = state[3] += d;
        e = state[4] += e;
        f = state[5] += f;
        g = state[6] += g;
        h = state[7] += h;
    }
}

static void compress_portable(uint32_t state[8], const unsigned char *blocks, size_t count) {
    compress_scalar(state, blocks, count);
}

#ifdef SHA256_X86
__attribute__((target("bmi2"))) static void compress_bmi2(uint32_t state[8], const unsigned char *blocks,
                                                          size_t count) {
    compress_scalar(state, blocks, count);
}

/* Four rounds with the SHA extensions: sha256rnds2 does two, taking W+K from the low half of its third operand. */
#define SHA_NI_ROUNDS4(group, message)                                                                                 \
    do {                                                                                                               \
        __m128i wk = _mm_add_epi32((message), _mm_loadu_si128((const __m128i *)&round_constants[4 * (group)]));        \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);                                                                  \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));                                         \
    } while (0)
/* The schedule words of the group after `current`, from `next` (already through sha256msg1), `previous` and
 * `current`. */
#define SHA_NI_SCHEDULE(next, previous, current)                                                                       \
    next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(current, previous, 4)), current)

/* The same compression with the x86 SHA extensions (about ten times fewer instructions); only called when cpuid
 * says the CPU has them. The state is kept as the instructions want it: ABEF and CDGH. */
__attribute__((target("sha,sse4.1"))) static void compress_sha_ni(uint32_t state[8], const unsigned char *blocks,
                                                                   size_t count) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; count; count--, blocks += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 0)), byte_swap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16)), byte_swap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 32)), byte_swap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 48)), byte_swap);
        SHA_NI_ROUNDS4(0, m0);
        SHA_NI_ROUNDS4(1, m1);
        m0 = _mm_sha256msg1_epu32(m0, m1);
        SHA_NI_ROUNDS4(2, m2);
        m1 = _mm_sha256msg1_epu32(m1, m2);
        SHA_NI_ROUNDS4(3, m3);
        SHA_NI_SCHEDULE(m0, m2, m3);
        m2 = _mm_sha256msg1_epu32(m2, m3);
        for (int group = 4; group < 12; group += 4) {
            SHA_NI_ROUNDS4(group, m0);
            SHA_NI_SCHEDULE(m1, m3, m0);
            m3 = _mm_sha256msg1_epu32(m3, m0);
            SHA_NI_ROUNDS4(group + 1, m1);
            SHA_NI_SCHEDULE(m2, m0, m1);
            m0 = _mm_sha256msg1_epu32(m0, m1);
            SHA_NI_ROUNDS4(group + 2, m2);
            SHA_NI_SCHEDULE(m3, m1, m2);
            m1 = _mm_sha256msg1_epu32(m1, m2);
            SHA_NI_ROUNDS4(group + 3, m3);
            SHA_NI_SCHEDULE(m0, m2, m3);
            m2 = _mm_sha256msg1_epu32(m2, m3);
        }
        SHA_NI_ROUNDS4(12, m0);
        SHA_NI_SCHEDULE(m1, m3, m0);
        m3 = _mm_sha256msg1_epu32(m3, m0);
        SHA_NI_ROUNDS4(13, m1);
        SHA_NI_SCHEDULE(m2, m0, m1);
        SHA_NI_ROUNDS4(14, m2);
        SHA_NI_SCHEDULE(m3, m1, m2);
        SHA_NI_ROUNDS4(15, m3);
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* What the CPU has: the SHA extensions (and SSSE3 and SSE4.1, which the code above also uses), BMI2; asked once.
 * Valgrind's CPU hides the SHA extensions (not BMI2), so under callgrind (make check-instructions) the BMI2 scalar
 * code runs. */
enum { CPU_KNOWN = 1, CPU_SHA_NI = 2, CPU_BMI2 = 4 };
static int cpu_features(void) {
    static atomic_int known; /* 0: not asked yet, else CPU_KNOWN and the features */
    int answer = atomic_load_explicit(&known, memory_order_relaxed);
    if (!answer) {
        unsigned eax, ebx, ecx, edx;
        bool sse = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSSE3) && (ecx & bit_SSE4_1);
        bool leaf7 = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
        answer = CPU_KNOWN | (sse && leaf7 && (ebx & bit_SHA) ? CPU_SHA_NI : 0) |
                 (leaf7 && (ebx & bit_BMI2) ? CPU_BMI2 : 0);
        atomic_store_explicit(&known, answer, memory_order_relaxed);
    }
    return answer;
}

static bool cpu_has_sha_ni(void) { return cpu_features() & CPU_SHA_NI; }
#endif

static atomic_bool portable_forced, generic_forced;

void sha256_force_portable(bool portable) { atomic_store(&portable_forced, portable); }
void sha256_force_generic(bool generic) { atomic_store(&generic_forced, generic); }

bool sha256_accelerated(void) {
#ifdef SHA256_X86
    return !atomic_load_explicit(&portable_forced, memory_order_relaxed) && cpu_has_sha_ni();
#else
    return false;
#endif
}

static void compress(uint32_t state[8], const unsigned char *blocks, size_t count) {
#ifdef SHA256_X86
    if (sha256_accelerated()) {
        compress_sha_ni(state, blocks, count);
        return;
    }
    if ((cpu_features() & CPU_BMI2) && !atomic_load_explicit(&generic_forced, memory_order_relaxed)) {
        compress_bmi2(state, blocks, count);
        return;
    }
#endif
    compress_portable(state, blocks, count);
}

void sha256_init(Sha256 *sha) {
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(sha->state, initial, sizeof initial);
    sha->length = 0;
    sha->block_used = 0;
}

void sha256_update(Sha256 *sha, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    sha->length += length;
    if (sha->block_used) { /* complete the buffered block first */
        size_t take = 64 - sha->block_used;
        if (take > length) take = length;
        memcpy(sha->block + sha->block_used, p, take);
        sha->block_used += take;
        p += take;
        length -= take;
        if (sha->block_used < 64) return;
        compress(sha->state, sha->block, 1);
        sha->block_used = 0;
    }
    /* whole blocks straight from the caller's bytes, then the rest into the buffer */
    if (length >= 64) {
        compress(sha->state, p, length / 64);
        p += length / 64 * 64;
        length %= 64;
    }
    if (length) memcpy(sha->block, p, length);
    sha->block_used = length;
}

void sha256_final(Sha256 *sha, unsigned char digest[32]) {
    uint64_t bits = sha->length * 8;
    /* 0x80, zeros up to 56 bytes into a block, then the length in bits, big-endian */
    unsigned char padding[72] = {0x80};
    size_t pad = sha->block_used < 56 ? 56 - sha->block_used : 120 - sha->block_used;
    for (int i = 0; i < 8; i++) padding[pad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(sha, padding, pad + 8);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (unsigned char)(sha->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(sha->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(sha->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)sha->state[i];
    }
}

void sha256_hex(const void *bytes, size_t length, char hex[65]) {
    Sha256 sha;
    sha256_init(&sha);
    sha256_update(&sha, bytes, length);
    unsigned char digest[32];
    sha256_final(&sha, digest);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}
