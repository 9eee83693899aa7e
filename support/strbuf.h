/* A growable byte buffer (heap-allocated: output files outlive no arena but are large and grow). */
#ifndef RPCC_STRBUF_H
#define RPCC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct StrBuf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} StrBuf;

void strbuf_init(StrBuf *buf);
void strbuf_free(StrBuf *buf);
/* Frees the first blocks that strbuf_free keeps for reuse by this thread (call before a thread ends). */
void strbuf_release_kept(void);
/* Empties the buffer for reuse, keeping its memory. */
void strbuf_clear(StrBuf *buf);
/* Makes room for `extra` more bytes and the NUL (the slow path of the appends below). */
void strbuf_grow(StrBuf *buf, size_t extra);
/* Copies len bytes (no overlap) without a call for the short pieces most appends are (a name, ": ", an
 * indentation): two loads and two stores that may overlap each other, each of a fixed size the compiler inlines. */
#pragma GCC diagnostic push
/* GCC warns of the 8- and 4-byte branches where it sees a shorter constant string, for which they are never taken. */
#pragma GCC diagnostic ignored "-Warray-bounds"
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
/* And of the branch for more than 32 bytes where the source is a smaller array (a number's digits), likewise. */
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
static inline __attribute__((always_inline)) void strbuf_copy_bytes(char *to, const char *from, size_t len) {
    if (len > 32) {
        memcpy(to, from, len);
    } else if (len > 16) { /* two 16-byte moves that may overlap, without a call */
        char head[16], tail[16];
        memcpy(head, from, 16);
        memcpy(tail, from + len - 16, 16);
        memcpy(to, head, 16);
        memcpy(to + len - 16, tail, 16);
    } else if (len >= 8) {
        uint64_t head, tail;
        memcpy(&head, from, 8);
        memcpy(&tail, from + len - 8, 8);
        memcpy(to, &head, 8);
        memcpy(to + len - 8, &tail, 8);
    } else if (len >= 4) {
        uint32_t head, tail;
        memcpy(&head, from, 4);
        memcpy(&tail, from + len - 4, 4);
        memcpy(to, &head, 4);
        memcpy(to + len - 4, &tail, 4);
    } else if (len) {
        char first = from[0], middle = from[len / 2], last = from[len - 1];
        to[0] = first;
        to[len / 2] = middle;
        to[len - 1] = last;
    }
}
#pragma GCC diagnostic pop
/* The appends are inline: every byte of generated code passes through them. */
static inline __attribute__((always_inline)) void strbuf_append(StrBuf *buf, const char *bytes, size_t len) {
    if (buf->len + len + 1 > buf->cap) strbuf_grow(buf, len);
    strbuf_copy_bytes(buf->data + buf->len, bytes, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}
static inline void strbuf_puts(StrBuf *buf, const char *text) { strbuf_append(buf, text, strlen(text)); }
static inline void strbuf_putc(StrBuf *buf, char c) {
    if (buf->len + 2 > buf->cap) strbuf_grow(buf, 1);
    buf->data[buf->len++] = c;
    buf->data[buf->len] = '\0';
}
void strbuf_printf(StrBuf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(StrBuf *buf, const char *fmt, va_list args);
const char *strbuf_cstr(StrBuf *buf); /* "" for an empty buffer */

#endif
