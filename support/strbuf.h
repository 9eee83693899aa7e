/* A growable byte buffer (heap-allocated: output files outlive no arena but are large and grow). */
#ifndef RPCC_STRBUF_H
#define RPCC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
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
/* The appends are inline: every byte of generated code passes through them. */
static inline void strbuf_append(StrBuf *buf, const char *bytes, size_t len) {
    if (buf->len + len + 1 > buf->cap) strbuf_grow(buf, len);
    if (len) memcpy(buf->data + buf->len, bytes, len);
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
