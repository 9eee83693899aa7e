/* SHA-256 (support/sha256.c) through both of its compression functions: the x86 SHA extensions when this CPU has
 * them, and the portable code (forced with sha256_force_portable; generic C, or its BMI2 build, forced with
 * sha256_force_generic). Each test runs once per path and checks the
 * FIPS 180-2 vectors, and that any way of cutting a message into sha256_update calls gives the one-shot digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/sha256.h"

static int use_portable(void **state) {
    (void)state;
    sha256_force_portable(true);
    return sha256_accelerated() ? -1 : 0;
}

static int use_generic(void **state) {
    (void)state;
    sha256_force_portable(true);
    sha256_force_generic(true);
    return sha256_accelerated() ? -1 : 0;
}

static int use_cpu(void **state) {
    (void)state;
    sha256_force_portable(false);
    sha256_force_generic(false);
    return 0;
}

static void digest_of(const void *bytes, size_t length, unsigned char digest[32]) {
    Sha256 sha;
    sha256_init(&sha);
    sha256_update(&sha, bytes, length);
    sha256_final(&sha, digest);
}

static void assert_hex(const unsigned char digest[32], const char *expected) {
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    assert_string_equal(hex, expected);
}

static void test_fips_vectors(void **state) {
    (void)state;
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two_blocks, strlen(two_blocks), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a': in one call (15,625 blocks straight from the caller's bytes), and in 997-byte pieces that
 * never align with a block. */
static void test_million_a(void **state) {
    (void)state;
    static char million[1000000];
    memset(million, 'a', sizeof million);
    const char *expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    unsigned char digest[32];
    digest_of(million, sizeof million, digest);
    assert_hex(digest, expected);
    Sha256 sha;
    sha256_init(&sha);
    for (size_t done = 0; done < sizeof million; done += 997)
        sha256_update(&sha, million + done, sizeof million - done < 997 ? sizeof million - done : 997);
    sha256_final(&sha, digest);
    assert_hex(digest, expected);
}

/* Every length from 0 to 200 bytes, cut at every pair of points (three updates, some empty) and fed one byte at a
 * time, against the one-shot digest. */
static void test_every_split(void **state) {
    (void)state;
    unsigned char message[200];
    for (size_t i = 0; i < sizeof message; i++) message[i] = (unsigned char)(i * 131 + 7);
    for (size_t length = 0; length <= sizeof message; length++) {
        unsigned char whole[32], pieces[32];
        digest_of(message, length, whole);
        for (size_t first = 0; first <= length; first++) {
            for (size_t second = first; second <= length; second++) {
                Sha256 sha;
                sha256_init(&sha);
                sha256_update(&sha, message, first);
                sha256_update(&sha, message + first, second - first);
                sha256_update(&sha, message + second, length - second);
                sha256_final(&sha, pieces);
                assert_memory_equal(pieces, whole, 32);
            }
        }
        Sha256 sha;
        sha256_init(&sha);
        for (size_t i = 0; i < length; i++) sha256_update(&sha, message + i, 1);
        sha256_final(&sha, pieces);
        assert_memory_equal(pieces, whole, 32);
    }
}

/* The two compression functions agree on every length up to 1,000 bytes (a check that means something only where
 * the CPU has the SHA extensions; elsewhere both digests come from the portable code). */
static void test_paths_agree(void **state) {
    (void)state;
    static unsigned char message[1000];
    for (size_t i = 0; i < sizeof message; i++) message[i] = (unsigned char)(i * 7919 >> 3);
    for (size_t length = 0; length <= sizeof message; length++) {
        unsigned char generic[32], portable[32], cpu[32];
        sha256_force_portable(true);
        sha256_force_generic(true);
        digest_of(message, length, generic);
        sha256_force_generic(false);
        digest_of(message, length, portable);
        sha256_force_portable(false);
        digest_of(message, length, cpu);
        assert_memory_equal(generic, portable, 32);
        assert_memory_equal(portable, cpu, 32);
    }
    print_message("SHA extensions %s\n", sha256_accelerated() ? "in use" : "not available: portable code only");
}

/* Each test under its path's name: the setup forces the portable code or leaves the choice to the CPU check. */
#define GENERIC(test) {#test " (portable, generic C)", test, use_generic, use_cpu, NULL}
#define PORTABLE(test) {#test " (portable, BMI2 where the CPU has it)", test, use_portable, use_cpu, NULL}
#define CPU(test) {#test " (SHA extensions where the CPU has them)", test, use_cpu, use_cpu, NULL}

int main(void) {
    const struct CMUnitTest tests[] = {
        GENERIC(test_fips_vectors),  GENERIC(test_million_a),  GENERIC(test_every_split),
        PORTABLE(test_fips_vectors), PORTABLE(test_million_a), PORTABLE(test_every_split),
        CPU(test_fips_vectors),      CPU(test_million_a),      CPU(test_every_split),
        cmocka_unit_test(test_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
