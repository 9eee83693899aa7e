/* The stages from loaded ASTs to a checked IR, one file each:
 *   lower.c           declarations, name resolution across imports, types, values, annotations
 *   check_defaults.c  default values fit their types and constraints
 *   check_types.c     map keys, unions (untagged and discriminated), alias and union self-reference
 *   check_recursion.c models that can never be built; IrDecl.recursive
 *   check_channels.c  channels: publication and parameter types, namespaces, shared namespace options,
 *                     patterns that can produce the same channel name
 *   check_names.c     per-target identifiers and their collisions
 * and, once the program is valid, the analyses whose results the IR carries for backends:
 *   usage.c           what the rpcs and channels use each declaration for (IrDecl.is_params, is_result, sent, received)
 *   order.c           the definition order of eagerly defined targets (IrProgram.definition_order)
 *   union_members.c   the member each union alternative is held in (Go's union struct fields)
 *   example.c         the method the SDK READMEs show in their example call (IrProgram.example_rpc)
 * compile.c's ir_compile runs them in order. A pass tolerates the holes an earlier error left (a NULL type), so
 * one run reports as many independent errors as it can. After them, for the targets a run generates or checks:
 *   check_targets.c   what one target language cannot hold (wire names Go's json tags cannot write) */
#ifndef RPCC_PASSES_H
#define RPCC_PASSES_H

#include <stdio.h>

#include "../frontend/diag.h"
#include "../frontend/load.h"
#include "ir.h"

IrProgram *ir_lower(const LoadedProgram *loaded, Arena *arena, Diagnostics *diags);
void ir_check_defaults(IrProgram *program, Diagnostics *diags);
void ir_check_types(IrProgram *program, Diagnostics *diags);
void ir_check_recursion(IrProgram *program, Diagnostics *diags);
void ir_check_channels(IrProgram *program, Arena *arena, Diagnostics *diags);
void ir_check_names(IrProgram *program, Arena *arena, Diagnostics *diags);
void ir_mark_usage(IrProgram *program);
void ir_order_definitions(IrProgram *program, Arena *arena);
void ir_name_union_members(IrProgram *program, Arena *arena);
void ir_choose_example(IrProgram *program);

/* All of the above. Returns NULL when the input has errors (diags->error_count > 0). */
IrProgram *ir_compile(const LoadedProgram *loaded, Arena *arena, Diagnostics *diags);
/* ir_compile after ir_lower: the checks and analyses. The IR holds no pointer into the ASTs, so a caller may free
 * them between ir_lower and this (rpcc does: a large schema's ASTs are a third of its peak memory). */
IrProgram *ir_check_lowered(IrProgram *program, Arena *arena, Diagnostics *diags);
/* ir_check_lowered without its first pass, ir_check_types, which the caller ran. After ir_check_types without
 * errors, what the contract's canonical text reads (ir/contract.h; check_types sets a tagged union's
 * discriminator) is final: no later pass writes it, so rpcc hashes the contract in a thread while these run. */
IrProgram *ir_check_after_types(IrProgram *program, Arena *arena, Diagnostics *diags);

/* The checks of check_targets.c for each target set in `targets`; false if one reported an error. */
bool ir_check_targets(const IrProgram *program, const bool targets[TARGET_COUNT], Diagnostics *diags);

/* A readable dump of the IR (rpcc --dump-ir), stable for tests. */
void ir_dump(const IrProgram *program, FILE *out);

/* Edit distance, for "did you mean" (a bounded Levenshtein: returns limit + 1 when the distance exceeds limit). */
size_t ir_edit_distance(const char *a, size_t a_length, const char *b, size_t b_length, size_t limit);

/* Compares two numeric values (IR_VALUE_INT or IR_VALUE_FLOAT) exactly: -1, 0 or 1. Integers compare as integers. */
int ir_compare_numbers(const IrValue *a, const IrValue *b);

/* The IDL spelling of a type ("list<string> | null"), for messages and the IR dump. */
const char *ir_type_to_string(Arena *arena, const IrType *type);
/* A value as IDL source text, for messages and the IR dump. */
const char *ir_value_to_string(Arena *arena, const IrValue *value);

#endif
