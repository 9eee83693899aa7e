/* The pass driver: from loaded ASTs to a checked IR (see passes.h for what each pass does). */
#include "passes.h"

IrProgram *ir_compile(const LoadedProgram *loaded, Arena *arena, Diagnostics *diags) {
    diag_filter_cascades(diags); /* after syntax errors: what the broken declarations would say is an echo */
    return ir_check_lowered(ir_lower(loaded, arena, diags), arena, diags);
}

IrProgram *ir_check_lowered(IrProgram *program, Arena *arena, Diagnostics *diags) {
    ir_check_types(program, diags);
    return ir_check_after_types(program, arena, diags);
}

IrProgram *ir_check_after_types(IrProgram *program, Arena *arena, Diagnostics *diags) {
    ir_check_defaults(program, diags);
    ir_check_recursion(program, diags);
    ir_check_channels(program, arena, diags);
    ir_check_names(program, arena, diags);
    if (diags->error_count) return NULL;
    ir_mark_usage(program);
    ir_order_definitions(program, arena);
    ir_name_union_members(program, arena);
    ir_choose_example(program);
    return program;
}
