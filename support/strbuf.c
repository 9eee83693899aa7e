#include "strbuf.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(StrBuf *buf) {
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

/* Most buffers are short-lived and never outgrow their first block (a line, a name, a type): a few of those blocks
 * are kept per thread for the next buffer instead of going back to malloc, which was a tenth of a large run.
 * A file's printer grows to a large block (twice PRINTER_FLUSH_SIZE) and stays there, its text handed on in pieces:
 * a couple of those are kept too, so that the next file's printer reuses memory already paged in instead of
 * growing into fresh pages (glibc maps a block this large on its own and unmaps it when freed). A buffer takes a
 * kept large block once it outgrows LARGE_FROM. */
enum { FIRST_BLOCK = 256, KEPT_BLOCKS = 32, LARGE_FROM = 16 * 1024, LARGE_BLOCK = 128 * 1024, KEPT_LARGE = 2 };
static _Thread_local struct {
    char *blocks[KEPT_BLOCKS];
    size_t count;
    char *large[KEPT_LARGE];
    size_t large_count;
} kept;

void strbuf_free(StrBuf *buf) {
    if (buf->cap == FIRST_BLOCK && kept.count < KEPT_BLOCKS) {
        kept.blocks[kept.count++] = buf->data;
    } else if (buf->cap == LARGE_BLOCK && kept.large_count < KEPT_LARGE) {
        kept.large[kept.large_count++] = buf->data;
    } else {
        free(buf->data);
    }
    strbuf_init(buf);
}

void strbuf_release_kept(void) {
    while (kept.count) free(kept.blocks[--kept.count]);
    while (kept.large_count) free(kept.large[--kept.large_count]);
}

void strbuf_clear(StrBuf *buf) {
    buf->len = 0;
    if (buf->data) buf->data[0] = '\0';
}

void strbuf_grow(StrBuf *buf, size_t extra) {
    if (buf->len + extra + 1 <= buf->cap) return;
    size_t cap = buf->cap ? buf->cap : FIRST_BLOCK;
    while (cap < buf->len + extra + 1) cap *= 2;
    if (!buf->cap && cap == FIRST_BLOCK && kept.count) {
        buf->data = kept.blocks[--kept.count];
        buf->cap = cap;
        return;
    }
    if (cap >= LARGE_FROM && cap <= LARGE_BLOCK && kept.large_count) {
        char *large = kept.large[--kept.large_count];
        size_t len = buf->len;
        if (len) memcpy(large, buf->data, len);
        large[len] = '\0';
        strbuf_free(buf); /* its old block, kept or freed */
        buf->data = large;
        buf->len = len;
        buf->cap = LARGE_BLOCK;
        return;
    }
    char *data = realloc(buf->data, cap);
    if (!data) {
        fputs("rpcc: out of memory\n", stderr);
        abort();
    }
    buf->data = data;
    buf->cap = cap;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Formatting without vsnprintf                                                                               */

/* The generated code is printed through printf-style formats, nearly all of them "%s", "%.*s", "%-*s" and
 * integers: glibc's vsnprintf spent a third of a large run's instructions on them. The conversions below are
 * expanded here, byte for byte as printf would; a format with anything else goes to vsnprintf whole. */

/* The parts of one conversion that this file expands. */
typedef struct Conversion {
    bool left;         /* '-' flag */
    bool zero;         /* '0' flag */
    int width;         /* -1: none; FORMAT_STAR: taken from the arguments */
    int precision;     /* -1: none; FORMAT_STAR: taken from the arguments */
    int length;        /* 0: int, 1: long, 2: long long, 3: size_t */
    char kind;         /* s c d i u x X % */
    const char *after; /* the byte after the conversion */
} Conversion;

enum { FORMAT_STAR = -2 };

/* Parses the conversion at `percent` ('%'); false when this file does not expand it. */
static bool parse_conversion(const char *percent, Conversion *conversion) {
    const char *p = percent + 1;
    conversion->left = conversion->zero = false;
    conversion->width = conversion->precision = -1;
    conversion->length = 0;
    for (;; p++) {
        if (*p == '-') conversion->left = true;
        else if (*p == '0') conversion->zero = true;
        else break;
    }
    if (*p == '*') {
        conversion->width = FORMAT_STAR;
        p++;
    } else if (*p >= '1' && *p <= '9') {
        int width = 0;
        while (*p >= '0' && *p <= '9' && width < 10000) width = width * 10 + (*p++ - '0');
        if (*p >= '0' && *p <= '9') return false;
        conversion->width = width;
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            conversion->precision = FORMAT_STAR;
            p++;
        } else {
            int precision = 0;
            while (*p >= '0' && *p <= '9' && precision < 100000) precision = precision * 10 + (*p++ - '0');
            if (*p >= '0' && *p <= '9') return false;
            conversion->precision = precision;
        }
    }
    if (*p == 'l') {
        conversion->length = 1;
        if (*++p == 'l') {
            conversion->length = 2;
            p++;
        }
    } else if (*p == 'z') {
        conversion->length = 3;
        p++;
    }
    conversion->kind = *p;
    conversion->after = p + 1;
    switch (*p) {
    case '%':
        return p == percent + 1;
    case 's':
    case 'c':
        /* '0' with a string is undefined; %ls and %lc are wide. */
        return !conversion->zero && conversion->length == 0 && (*p == 's' || conversion->precision == -1);
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
        return conversion->precision == -1; /* an integer's precision (minimum digits) is left to vsnprintf */
    default:
        return false;
    }
}

static void append_padding(StrBuf *buf, char fill, size_t count) {
    strbuf_grow(buf, count);
    memset(buf->data + buf->len, fill, count);
    buf->len += count;
    buf->data[buf->len] = '\0';
}

/* `count` spaces, copied from a run of them (most paddings are short). */
static void append_spaces(StrBuf *buf, size_t count) {
    static const char spaces[] = "                                ";
    if (buf->len + count + 1 > buf->cap) strbuf_grow(buf, count);
    while (count) {
        size_t chunk = count < sizeof spaces - 1 ? count : sizeof spaces - 1;
        strbuf_copy_bytes(buf->data + buf->len, spaces, chunk);
        buf->len += chunk;
        count -= chunk;
    }
    buf->data[buf->len] = '\0';
}

/* `text` padded to `width` (spaces; on the right with '-'). */
static void append_padded(StrBuf *buf, const char *text, size_t len, int width, bool left) {
    size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
    if (pad && !left) append_padding(buf, ' ', pad);
    strbuf_append(buf, text, len);
    if (pad && left) append_padding(buf, ' ', pad);
}

static void append_integer(StrBuf *buf, const Conversion *conversion, int width, va_list *args) {
    bool is_signed = conversion->kind == 'd' || conversion->kind == 'i';
    unsigned base = conversion->kind == 'x' || conversion->kind == 'X' ? 16 : 10;
    const char *digits_of = conversion->kind == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned long long magnitude;
    bool negative = false;
    if (is_signed) {
        long long value;
        switch (conversion->length) {
        case 0: value = va_arg(*args, int); break;
        case 1: value = va_arg(*args, long); break;
        case 2: value = va_arg(*args, long long); break;
        default: value = (long long)va_arg(*args, size_t); break; /* %zd: the signed type of size_t's width */
        }
        negative = value < 0;
        magnitude = negative ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    } else {
        switch (conversion->length) {
        case 0: magnitude = va_arg(*args, unsigned); break;
        case 1: magnitude = va_arg(*args, unsigned long); break;
        case 2: magnitude = va_arg(*args, unsigned long long); break;
        default: magnitude = va_arg(*args, size_t); break;
        }
    }
    char digits[24];
    size_t count = 0;
    do {
        digits[sizeof digits - 1 - count++] = digits_of[magnitude % base];
        magnitude /= base;
    } while (magnitude);
    size_t len = count + (negative ? 1 : 0);
    size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
    if (pad && !conversion->left && !conversion->zero) append_padding(buf, ' ', pad);
    if (negative) strbuf_putc(buf, '-');
    if (pad && !conversion->left && conversion->zero) append_padding(buf, '0', pad);
    strbuf_append(buf, digits + sizeof digits - count, count);
    if (pad && conversion->left) append_padding(buf, ' ', pad);
}

/* The bytes that end a run of a format's fixed text. */
static const bool FORMAT_STOP[256] = {['\0'] = true, ['%'] = true};

/* Appends the expansion of `fmt`, or returns false at the first conversion that this file does not expand (what
 * was appended is then to be discarded). One pass: most formats are short and hold only "%s". */
static bool append_expanded(StrBuf *buf, const char *fmt, va_list *args) {
    const char *p = fmt;
    for (;;) {
        const char *run = p;
        /* The fixed text up to the next '%' or the end, four bytes a step: a third of the formatting's cost. */
        while (!FORMAT_STOP[(unsigned char)p[0]]) {
            if (FORMAT_STOP[(unsigned char)p[1]]) {
                p += 1;
                break;
            }
            if (FORMAT_STOP[(unsigned char)p[2]]) {
                p += 2;
                break;
            }
            if (FORMAT_STOP[(unsigned char)p[3]]) {
                p += 3;
                break;
            }
            p += 4;
        }
        if (p > run) strbuf_append(buf, run, (size_t)(p - run));
        if (!*p) return true;
        if (p[1] == 's') {
            const char *argument = va_arg(*args, const char *);
            strbuf_append(buf, argument, strlen(argument));
            p += 2;
            continue;
        }
        if (p[1] == '-' && p[2] == '*' && p[3] == 's') { /* a column: "%-*s" (Go's aligned struct fields) */
            int width = va_arg(*args, int);
            const char *argument = va_arg(*args, const char *);
            size_t len = strlen(argument);
            strbuf_append(buf, argument, len);
            size_t columns = width == INT_MIN ? (size_t)INT_MAX : (size_t)(width < 0 ? -width : width);
            if (columns > len) append_spaces(buf, columns - len);
            p += 4;
            continue;
        }
        Conversion conversion;
        if (!parse_conversion(p, &conversion)) return false;
        p = conversion.after;
        int width = conversion.width;
        if (width == FORMAT_STAR) {
            width = va_arg(*args, int);
            if (width < 0) {
                conversion.left = true;
                width = width == INT_MIN ? INT_MAX : -width;
            }
        }
        int precision = conversion.precision;
        if (precision == FORMAT_STAR) {
            precision = va_arg(*args, int); /* negative: as if omitted */
            if (precision < 0) precision = -1;
        }
        switch (conversion.kind) {
        case '%':
            strbuf_putc(buf, '%');
            break;
        case 's': {
            const char *argument = va_arg(*args, const char *);
            size_t len = precision >= 0 ? strnlen(argument, (size_t)precision) : strlen(argument);
            append_padded(buf, argument, len, width, conversion.left);
            break;
        }
        case 'c': {
            char c = (char)va_arg(*args, int);
            append_padded(buf, &c, 1, width, conversion.left);
            break;
        }
        default:
            append_integer(buf, &conversion, width, args);
            break;
        }
    }
}

void strbuf_vprintf(StrBuf *buf, const char *fmt, va_list args) {
    size_t start = buf->len;
    va_list copy;
    va_copy(copy, args);
    bool expanded = append_expanded(buf, fmt, &copy);
    va_end(copy);
    if (expanded) return;
    buf->len = start; /* a conversion left to vsnprintf: the whole format goes there */
    if (buf->data) buf->data[start] = '\0';
    va_copy(copy, args);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len <= 0) return;
    strbuf_grow(buf, (size_t)len);
    vsnprintf(buf->data + buf->len, (size_t)len + 1, fmt, args);
    buf->len += (size_t)len;
}

void strbuf_printf(StrBuf *buf, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    strbuf_vprintf(buf, fmt, args);
    va_end(args);
}

const char *strbuf_cstr(StrBuf *buf) { return buf->data ? buf->data : ""; }
