/* UTF-8: checking and decoding (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef RPCC_UTF8_H
#define RPCC_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_INVALID UINT32_MAX

/* Length of the well-formed UTF-8 sequence at p (1 to 4 bytes, p < end), or 0 if it is not well-formed. */
size_t utf8_length(const unsigned char *p, const unsigned char *end);

/* Decodes one code point at text[0..len) (len > 0); *size gets the bytes used. An invalid sequence yields
 * UTF8_INVALID with *size 1. */
uint32_t utf8_decode(const unsigned char *text, size_t len, size_t *size);

#endif
