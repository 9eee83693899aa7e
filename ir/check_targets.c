/* What a checked program still cannot be in one target language, reported for the targets a run generates (or
 * checks) with the span that causes it, rather than by a backend on stderr after --check said the input was fine:
 * - Go: a wire name that encoding/json cannot hold in a struct tag;
 * - TypeScript: a field a sender may leave out whose wire name is a member of Object.prototype. */
#include <string.h>

#include "../support/go_unicode.h"
#include "passes.h"
#include "../support/utf8.h"

/* encoding/json's isValidTag: a tag name of letters, digits (Go's unicode.IsLetter and IsDigit, whatever the
 * script) and these punctuation characters, or encoding/json ignores it and uses the Go field name instead; a
 * quote or backquote would also end the tag's string. */
/* The ASCII characters of a tag name: letters, digits and the punctuation below. */
static const unsigned char GO_TAG_ASCII[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

static bool is_go_json_tag_name(const char *name) {
    if (!*name) return false;
    /* Most wire names are all such ASCII: one table test a byte. Another byte takes the general loop from there. */
    size_t at = 0;
    while ((unsigned char)name[at] && (unsigned char)name[at] < 0x80 && GO_TAG_ASCII[(unsigned char)name[at]]) at++;
    if (!name[at]) return true;
    size_t length = at + strlen(name + at);
    while (at < length) {
        unsigned char c = (unsigned char)name[at];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            at++; /* nearly every character of a wire name: a letter and a digit in Go too */
            continue;
        }
        size_t size;
        uint32_t code_point = utf8_decode((const unsigned char *)name + at, length - at, &size);
        at += size;
        if (code_point < 0x80 && strchr("!#$%&()*+-./:;<=>?@[]^_{|}~ ", (int)code_point)) continue;
        if (code_point != UTF8_INVALID && go_is_letter_or_digit(code_point)) continue;
        return false;
    }
    return true;
}

static void check_go(const IrProgram *program, Diagnostics *diags) {
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        for (size_t f = 0; f < decl->field_count; f++) {
            const IrField *field = decl->fields[f];
            if (!is_go_json_tag_name(field->wire_name))
                diag_error(diags, field->wire_name_span,
                           "the wire name of field '%s' cannot be a Go json tag: encoding/json takes only letters, digits, "
                           "spaces and !#$%%&()*+-./:;<=>?@[]^_{|}~ in one",
                           field->name);
        }
    }
}

/* The members every TypeScript object has (lib.es5.d.ts's Object interface). A property of that name that may be
 * absent can never be left out: `{}` still has the inherited member, whose type does not fit, so no object
 * literal (and no `params: P = {}` default) type-checks without it. */
static const char *const OBJECT_PROTOTYPE_MEMBERS[] = {
    "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
};

static void check_typescript(const IrProgram *program, Diagnostics *diags) {
    for (size_t d = 0; d < program->decl_count; d++) {
        const IrDecl *decl = program->decls[d];
        if (!decl->sent) continue; /* a received model is read, never written as a literal */
        for (size_t f = 0; f < decl->field_count; f++) {
            const IrField *field = decl->fields[f];
            if (!field->optional && !field->default_value) continue;
            for (size_t m = 0; m < sizeof OBJECT_PROTOTYPE_MEMBERS / sizeof OBJECT_PROTOTYPE_MEMBERS[0]; m++) {
                if (field->wire_name[0] != OBJECT_PROTOTYPE_MEMBERS[m][0] ||
                    strcmp(field->wire_name, OBJECT_PROTOTYPE_MEMBERS[m]) != 0)
                    continue;
                diag_error(diags, field->wire_name_span,
                           "field '%s' of '%s', which is sent, may be left out, but every TypeScript object has a "
                           "'%s' member, so it could never be: make the field required, or leave TypeScript out "
                           "with --lang",
                           field->name, decl->name, field->wire_name);
            }
        }
    }
}

bool ir_check_targets(const IrProgram *program, const bool targets[TARGET_COUNT], Diagnostics *diags) {
    size_t errors_before = diags->error_count;
    if (targets[TARGET_GO]) check_go(program, diags);
    if (targets[TARGET_TYPESCRIPT]) check_typescript(program, diags);
    return diags->error_count == errors_before;
}
