/* The contract identity: a canonical text of what a program puts on the wire, and its SHA-256 (rpcc
 * --contract-hash). Comments, docs, deprecations, declaration order, field order, formatting, declaration and
 * member names and aliases do not change it; any change of what is sent or accepted does. spec/evolution.md
 * defines the text. */
#ifndef RPCC_CONTRACT_H
#define RPCC_CONTRACT_H

#include "../support/strbuf.h"
#include "ir.h"

#define CONTRACT_FORMAT_VERSION 1

/* Appends the canonical text of `program` to `out`. */
void ir_contract_canonical(const IrProgram *program, StrBuf *out);
/* The contract hash: "sha256:" and the SHA-256 of the canonical text in lower-case hexadecimal, and a NUL. */
void ir_contract_hash(const IrProgram *program, char hash[72]);

#endif
