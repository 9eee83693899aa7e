#include "utf8.h"

/* Length of the UTF-8 sequence at p (1-4), or 0 if it is not well-formed (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
size_t utf8_length(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    size_t need;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c == 0xE0) need = 3, low = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) need = 3;
    else if (c == 0xED) need = 3, high = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) need = 3;
    else if (c == 0xF0) need = 4, low = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 4;
    else if (c == 0xF4) need = 4, high = 0x8F;
    else return 0;
    if ((size_t)(end - p) < need) return 0;
    if (p[1] < low || p[1] > high) return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return need;
}


uint32_t utf8_decode(const unsigned char *text, size_t len, size_t *size) {
    unsigned char lead = text[0];
    *size = 1;
    if (lead < 0x80) return lead;
    size_t needed;
    uint32_t code_point, minimum;
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1, code_point = lead & 0x1Fu, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        needed = 2, code_point = lead & 0x0Fu, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        needed = 3, code_point = lead & 0x07u, minimum = 0x10000;
    } else {
        return UTF8_INVALID;
    }
    if (len < needed + 1) return UTF8_INVALID;
    for (size_t index = 1; index <= needed; index++) {
        if ((text[index] & 0xC0) != 0x80) return UTF8_INVALID;
        code_point = (code_point << 6) | (text[index] & 0x3Fu);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return UTF8_INVALID;
    }
    *size = needed + 1;
    return code_point;
}
