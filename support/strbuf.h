/* A growable byte buffer (heap-allocated: output files outlive no arena but are large and grow). */
#ifndef RPCC_STRBUF_H
#define RPCC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct StrBuf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} StrBuf;

void strbuf_init(StrBuf *buf);
void strbuf_free(StrBuf *buf);
/* Empties the buffer for reuse, keeping its memory. */
void strbuf_clear(StrBuf *buf);
void strbuf_append(StrBuf *buf, const char *bytes, size_t len);
void strbuf_puts(StrBuf *buf, const char *text);
void strbuf_putc(StrBuf *buf, char c);
void strbuf_printf(StrBuf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(StrBuf *buf, const char *fmt, va_list args);
const char *strbuf_cstr(StrBuf *buf); /* "" for an empty buffer */

#endif
