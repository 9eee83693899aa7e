/* The breaking-change check (rpcc --breaking-against OLD.rpc NEW.rpc): compares two checked IRs of one contract
 * and reports every change that breaks a deployed peer or code written against the generated SDKs. spec/evolution.md
 * defines each rule and the two directions. */
#ifndef RPCC_COMPARE_H
#define RPCC_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "../frontend/diag.h"
#include "ir.h"

/* Each rule: its enum constant, its name on the command line and in messages, its severity, and what it reports. */
#define BREAKING_RULES(X)                                                                                          \
    X(METHOD_REMOVED, "method-removed", DIAG_ERROR, "a method is gone (a renamed method is one removed)")         \
    X(METHOD_ONEWAY_CHANGED, "method-oneway-changed", DIAG_ERROR,                                                 \
      "a method became @oneway (answers nothing) or stopped being one")                                           \
    X(DECLARATION_REMOVED, "declaration-removed", DIAG_ERROR, "a model, enum, union or type alias is gone")      \
    X(DECLARATION_RENAMED, "declaration-renamed", DIAG_ERROR,                                                     \
      "a model, enum or union has a new name (the wire is the same, the SDKs' type names are not)")               \
    X(DECLARATION_KIND_CHANGED, "declaration-kind-changed", DIAG_ERROR,                                           \
      "a declaration became another kind (model, enum, union, type alias)")                                        \
    X(FIELD_REMOVED, "field-removed", DIAG_ERROR, "a field is gone")                                               \
    X(FIELD_RENAMED, "field-renamed", DIAG_ERROR, "a field has a new name and the same wire name")                 \
    X(FIELD_WIRE_NAME_CHANGED, "field-wire-name-changed", DIAG_ERROR, "a field has a new wire name (@json)")      \
    X(FIELD_ADDED_REQUIRED, "field-added-required", DIAG_ERROR, "a new field that a sender must give")            \
    X(FIELD_NOW_REQUIRED, "field-now-required", DIAG_ERROR, "a parameter that could be left out must now be given")  \
    X(FIELD_NOW_OPTIONAL, "field-now-optional", DIAG_ERROR, "a parameter that was always given may now be left out") \
    X(BECAME_NULLABLE, "became-nullable", DIAG_ERROR, "a value that was never null may now be null")            \
    X(BECAME_NON_NULLABLE, "became-non-nullable", DIAG_ERROR, "a value that could be null may no longer be")    \
    X(TYPE_CHANGED, "type-changed", DIAG_ERROR, "a value has another type or wire format")                       \
    X(ENUM_MEMBER_REMOVED, "enum-member-removed", DIAG_ERROR, "an enum lost a value")                              \
    X(ENUM_MEMBER_ADDED, "enum-member-added", DIAG_ERROR, "an enum gained a value")                                \
    X(ENUM_MEMBER_RENAMED, "enum-member-renamed", DIAG_ERROR, "an enum member has a new name and the same value") \
    X(ENUM_VALUE_CHANGED, "enum-value-changed", DIAG_ERROR, "an enum member has a new value")                      \
    X(LITERAL_REMOVED, "literal-removed", DIAG_ERROR, "a literal type lost a value")                               \
    X(LITERAL_ADDED, "literal-added", DIAG_ERROR, "a literal type gained a value")                                 \
    X(UNION_ALTERNATIVE_REMOVED, "union-alternative-removed", DIAG_ERROR, "a union lost an alternative")          \
    X(UNION_ALTERNATIVE_ADDED, "union-alternative-added", DIAG_ERROR, "a union gained an alternative")             \
    X(UNION_ORDER_CHANGED, "union-order-changed", DIAG_WARNING,                                                   \
      "an untagged union's alternatives are in another order (decoders try them in order)")                        \
    X(DISCRIMINATOR_CHANGED, "discriminator-changed", DIAG_ERROR, "a tagged union's tag field has a new wire name") \
    X(CONSTRAINT_NARROWED, "constraint-narrowed", DIAG_ERROR, "@range or @length accepts less, or a new @pattern")  \
    X(CONSTRAINT_WIDENED, "constraint-widened", DIAG_ERROR, "@range or @length accepts more, or a @pattern is gone") \
    X(PATTERN_CHANGED, "pattern-changed", DIAG_ERROR, "a field's @pattern is another regular expression")         \
    X(DEFAULT_CHANGED, "default-changed", DIAG_WARNING, "what a field left out means changed (its default)")       \
    X(CHANNEL_REMOVED, "channel-removed", DIAG_ERROR,                                                             \
      "a channel is gone (by name, and no channel of another name has its pattern)")                                \
    X(CHANNEL_RENAMED, "channel-renamed", DIAG_ERROR, "a channel's pattern is declared under a new name")         \
    X(CHANNEL_PATTERN_CHANGED, "channel-pattern-changed", DIAG_ERROR, "a channel's pattern names other channels")  \
    X(CHANNEL_PARAM_REMOVED, "channel-param-removed", DIAG_ERROR, "a channel lost a parameter")                   \
    X(CHANNEL_PARAM_ADDED, "channel-param-added", DIAG_ERROR, "a channel gained a parameter")                     \
    X(CHANNEL_PARAM_TYPE_CHANGED, "channel-param-type-changed", DIAG_ERROR,                                       \
      "a channel parameter is now an int or a string")                                                             \
    X(CHANNEL_PUBLICATION_CHANGED, "channel-publication-changed", DIAG_ERROR,                                      \
      "a channel's publications are another kind of type (a model became a union, or the reverse)")                \
    X(CHANNEL_HISTORY_REMOVED, "channel-history-removed", DIAG_ERROR,                                             \
      "a channel no longer keeps history to recover from")                                                         \
    X(CHANNEL_HISTORY_CHANGED, "channel-history-changed", DIAG_WARNING,                                           \
      "a channel keeps another size or time of history")                                                           \
    X(CHANNEL_PUBLISH_REMOVED, "channel-publish-removed", DIAG_ERROR, "clients may no longer publish into a channel") \
    X(CHANNEL_SUBSCRIBE_CHANGED, "channel-subscribe-changed", DIAG_ERROR,                                         \
      "another rule says who may subscribe to a channel")

typedef enum BreakingRule {
#define BREAKING_RULE_ENUM(constant, name, severity, summary) BREAKING_##constant,
    BREAKING_RULES(BREAKING_RULE_ENUM)
#undef BREAKING_RULE_ENUM
        BREAKING_RULE_COUNT
} BreakingRule;

typedef struct BreakingRuleInfo {
    const char *name;
    DiagSeverity severity;
    const char *summary;
} BreakingRuleInfo;

const BreakingRuleInfo *breaking_rule_info(BreakingRule rule);
/* Finds a rule by its name; false if there is none. */
bool breaking_rule_parse(const char *name, size_t length, BreakingRule *rule);

/* Who a change breaks. The wire directions are about deployed peers: clients generated from the old file talking
 * to a server of the new one, and clients generated from the new file talking to a server of the old one (a
 * rolling deploy, or a rollback). */
enum {
    BREAKS_OLD_CLIENTS = 1, /* old clients, new server */
    BREAKS_NEW_CLIENTS = 2, /* new clients, old server */
    BREAKS_CODE = 4,        /* code written against the SDKs generated from the old file */
};

typedef struct BreakingOptions {
    unsigned directions; /* BREAKS_OLD_CLIENTS and/or BREAKS_NEW_CLIENTS: the wire findings reported */
    bool excluded[BREAKING_RULE_COUNT];
} BreakingOptions;

/* Reports on `diags` every breaking change from `old_program` to `new_program`: each at its place in the new
 * files (or without a place when the thing is gone from them), with a note at its place in the old ones. Returns
 * the number of findings reported (errors and warnings). */
size_t ir_compare_programs(const IrProgram *old_program, const IrProgram *new_program, const BreakingOptions *options,
                           Arena *arena, Diagnostics *diags);

#endif
