/* Channels: the declaration lowered into IrChannel (parts, params, options, names, usage) and the checks of
 * ir/check_channels.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support.h"

static const char *const MODELS = "model A { x: int; }\nmodel B { y: int; }\n";

static IrChannel *find_channel(const IrProgram *program, const char *name) {
    for (size_t i = 0; i < program->channel_count; i++)
        if (strcmp(program->channels[i]->name, name) == 0) return program->channels[i];
    return NULL;
}

static char *with_models(const char *text) {
    size_t length = strlen(MODELS) + strlen(text) + 1;
    char *joined = malloc(length);
    snprintf(joined, length, "%s%s", MODELS, text);
    return joined;
}

static void test_channel_lowers_parts_params_and_options(void **state) {
    (void)state;
    Compiled c;
    char *text = with_models("/// Per-user events.\n"
                             "channel tasks.events(user_id: string) \"tasks:events#{user_id}\" -> A "
                             "@history(size: 300, ttl: 600);\n"
                             "channel chat.room(room_id: int, channel: string) \"chat:room.{room_id}/{channel}\" -> B "
                             "@publish @subscribe(\"guard\") @deprecated(\"use rooms\");\n"
                             "channel news.feed() \"news\" -> A @subscribe(\"any\");\n");
    assert_compiles(&c, text);
    assert_int_equal(c.program->channel_count, 3);

    IrChannel *events = find_channel(c.program, "tasks.events");
    assert_ptr_equal(events, c.program->channels[0]);
    assert_string_equal(events->name, "tasks.events");
    assert_string_equal(events->pattern, "tasks:events#{user_id}");
    assert_string_equal(events->namespace_name, "tasks");
    assert_true(events->user_limited);
    assert_int_equal(events->subscribe, IR_SUBSCRIBE_USER); /* the default with '#' */
    assert_false(events->subscribe_given);
    assert_true(events->history);
    assert_int_equal(events->history_size, 300);
    assert_int_equal(events->history_ttl_seconds, 600);
    assert_false(events->client_publish);
    assert_string_equal(events->doc, "Per-user events.");
    assert_ptr_equal(events->publication, find_decl(c.program, "A"));
    assert_int_equal(events->param_count, 1);
    assert_int_equal(ir_resolve_alias(events->params[0]->type)->kind, IR_STRING);
    assert_int_equal(events->part_count, 2);
    assert_null(events->parts[0]->param);
    assert_int_equal(events->parts[0]->text_length, strlen("tasks:events#"));
    assert_memory_equal(events->parts[0]->text, "tasks:events#", events->parts[0]->text_length);
    assert_ptr_equal(events->parts[1]->param, events->params[0]);
    assert_null(events->parts[1]->text);

    IrChannel *room = c.program->channels[1];
    assert_string_equal(room->namespace_name, "chat");
    assert_false(room->user_limited);
    assert_int_equal(room->subscribe, IR_SUBSCRIBE_GUARD);
    assert_true(room->subscribe_given);
    assert_true(room->client_publish);
    assert_false(room->history);
    assert_true(room->deprecation.deprecated);
    assert_string_equal(room->deprecation.reason, "use rooms");
    assert_int_equal(room->part_count, 4);
    assert_ptr_equal(room->parts[1]->param, room->params[0]);
    assert_memory_equal(room->parts[2]->text, "/", 1);
    assert_ptr_equal(room->parts[3]->param, room->params[1]);

    IrChannel *feed = c.program->channels[2];
    assert_null(feed->namespace_name); /* no ':' */
    assert_int_equal(feed->param_count, 0);
    assert_int_equal(feed->part_count, 1);
    assert_int_equal(feed->subscribe, IR_SUBSCRIBE_ANY);
    compiled_free(&c);
    free(text);
}

static void test_channel_names_per_target(void **state) {
    (void)state;
    Compiled c;
    char *text = with_models("channel tasks.events(user_id: string, type: int, self: int) "
                             "\"tasks:events#{user_id}.{type}.{self}\" -> A;\n");
    assert_compiles(&c, text);
    IrChannel *channel = c.program->channels[0];
    assert_string_equal(channel->names.in[TARGET_PYTHON], "tasks_events");
    assert_string_equal(channel->names.in[TARGET_TYPESCRIPT], "tasksEvents");
    assert_string_equal(channel->names.in[TARGET_GO], "TasksEvents");
    assert_string_equal(channel->names.in[TARGET_RUST], "tasks_events");
    assert_string_equal(channel->subscribe_names.in[TARGET_PYTHON], "subscribe_tasks_events");
    assert_string_equal(channel->subscribe_names.in[TARGET_TYPESCRIPT], "subscribeTasksEvents");
    assert_string_equal(channel->subscribe_names.in[TARGET_GO], "SubscribeTasksEvents");
    assert_string_equal(channel->subscribe_names.in[TARGET_RUST], "subscribe_tasks_events");
    assert_string_equal(channel->publish_names.in[TARGET_PYTHON], "publish_tasks_events");
    assert_string_equal(channel->publish_names.in[TARGET_TYPESCRIPT], "publishTasksEvents");
    assert_string_equal(channel->publish_names.in[TARGET_GO], "PublishTasksEvents");
    assert_string_equal(channel->publish_names.in[TARGET_RUST], "publish_tasks_events");
    const IrChannelParam *user_id = channel->params[0];
    assert_string_equal(user_id->names.in[TARGET_PYTHON], "user_id");
    assert_string_equal(user_id->names.in[TARGET_TYPESCRIPT], "userId");
    assert_string_equal(user_id->names.in[TARGET_GO], "userID");
    assert_string_equal(user_id->names.in[TARGET_RUST], "user_id");
    /* Keywords and the generated methods' own names are escaped per target. */
    const IrChannelParam *type = channel->params[1];
    assert_string_equal(type->names.in[TARGET_PYTHON], "type_");
    assert_string_equal(type->names.in[TARGET_TYPESCRIPT], "type");
    assert_string_equal(type->names.in[TARGET_GO], "type_");
    assert_string_equal(type->names.in[TARGET_RUST], "r#type");
    const IrChannelParam *self = channel->params[2];
    assert_string_equal(self->names.in[TARGET_PYTHON], "self_");
    assert_string_equal(self->names.in[TARGET_RUST], "self_");
    compiled_free(&c);
    free(text);
}

static void test_inline_union_publication_is_hoisted(void **state) {
    (void)state;
    Compiled c;
    char *text = with_models("channel chat.room(room_id: int) \"chat:room.{room_id}\" -> A | B @publish;\n"
                             "model C { z: int; }\n");
    assert_compiles(&c, text);
    IrChannel *channel = c.program->channels[0];
    assert_non_null(channel->publication);
    assert_true(channel->publication->synthesized);
    assert_string_equal(channel->publication->name, "ChatRoomPublication");
    assert_int_equal(channel->publication->kind, IR_DECL_UNION);
    /* In program order where the channel stands: after A and B, before C. */
    assert_string_equal(c.program->decls[2]->name, "ChatRoomPublication");
    assert_string_equal(c.program->decls[3]->name, "C");
    /* Received by subscribers, sent by clients that publish. */
    assert_true(find_decl(c.program, "A")->received);
    assert_true(find_decl(c.program, "A")->sent);
    assert_false(find_decl(c.program, "C")->received);
    compiled_free(&c);
    free(text);
}

static void test_publication_without_publish_is_only_received(void **state) {
    (void)state;
    Compiled c;
    char *text = with_models("type Event = A;\nchannel news.feed() \"news:feed\" -> Event;\n");
    assert_compiles(&c, text);
    assert_true(find_decl(c.program, "A")->received);
    assert_false(find_decl(c.program, "A")->sent);
    assert_false(find_decl(c.program, "B")->received);
    compiled_free(&c);
    free(text);
}

static void test_channel_is_a_keyword_and_a_name(void **state) {
    (void)state;
    Compiled c;
    /* `channel` as a field, an enum member, a method segment and a parameter. */
    assert_compiles(&c, "model M { channel: string; }\nenum E: string { channel; }\n"
                        "rpc channel.get(M) -> M;\nchannel x.channel(channel: string) \"xx:{channel}\" -> M;\n");
    assert_string_equal(c.program->channels[0]->name, "x.channel");
    assert_string_equal(c.program->channels[0]->params[0]->names.in[TARGET_GO], "channel_");
    compiled_free(&c);
    assert_compile_error("model channel { }\n", "unexpected 'channel'");
}

static void test_program_with_only_channels(void **state) {
    (void)state;
    Compiled c;
    assert_compiles(&c, "model M { x: int; }\nchannel a.b() \"ab\" -> M;\n");
    assert_int_equal(c.program->rpc_count, 0);
    assert_null(c.program->example_rpc);
    compiled_free(&c);
}

#define CHANNEL_ERROR(declarations, needle)                                                                          \
    do {                                                                                                             \
        char *text_ = with_models(declarations);                                                                     \
        assert_compile_error(text_, needle);                                                                         \
        free(text_);                                                                                                 \
    } while (0)

static void test_pattern_errors(void **state) {
    (void)state;
    CHANNEL_ERROR("channel a.b(x: string) \"ns:{y}\" -> A;", "placeholder '{y}' names no parameter of channel 'a.b'");
    CHANNEL_ERROR("channel a.b(x: string) \"ns:b\" -> A;", "parameter 'x' of channel 'a.b' does not appear");
    CHANNEL_ERROR("channel a.b(x: string) \"ns:{x}.{x}\" -> A;", "parameter 'x' appears twice");
    CHANNEL_ERROR("channel a.b(x: string, y: int) \"ns:{x}{y}\" -> A;", "need literal text between them");
    CHANNEL_ERROR("channel a.b(x: string) \"ns:{x\" -> A;", "unclosed '{'");
    CHANNEL_ERROR("channel a.b() \"ns:x}\" -> A;", "'}' without '{'");
    CHANNEL_ERROR("channel a.b() \"ns:{}\" -> A;", "a placeholder names a parameter");
    CHANNEL_ERROR("channel a.b() \"\" -> A;", "a channel pattern cannot be empty");
    CHANNEL_ERROR("channel a.b(x: string, x: int) \"ns:{x}\" -> A;", "channel 'a.b' already has a parameter 'x'");
    CHANNEL_ERROR("channel a.b() \"ns:x\" -> A;\nchannel a.b() \"ns:y\" -> A;", "channel 'a.b' is declared twice");
    /* Declared twice with an inline union: one error, not also a collision of the two hoisted unions' names. */
    Compiled c;
    char *text = with_models("channel a.b() \"ns:x\" -> A | B;\nchannel a.b() \"ns:y\" -> A | B;\n");
    compile_text(&c, "t.rpc", text);
    assert_int_equal(c.diags.error_count, 1);
    assert_non_null(strstr(c.messages, "declared twice"));
    compiled_free(&c);
    free(text);
}

static void test_type_errors(void **state) {
    (void)state;
    CHANNEL_ERROR("channel a.b() \"ns:x\" -> int;", "must be a model, a union of models or an alias of one");
    CHANNEL_ERROR("enum E: string { a; }\nchannel a.b() \"ns:x\" -> E;", "'E' is an enum");
    CHANNEL_ERROR("channel a.b() \"ns:x\" -> list<A>;", "'list<A>' is not one");
    CHANNEL_ERROR("channel a.b() \"ns:x\" -> A | null;", "cannot be null");
    CHANNEL_ERROR("channel a.b() \"ns:x\" -> Nope;", "unknown type 'Nope'");
    CHANNEL_ERROR("channel a.b(x: bool) \"ns:{x}\" -> A;", "must be a string or an int");
    CHANNEL_ERROR("channel a.b(x: string | null) \"ns:{x}\" -> A;", "must be a string or an int");
    CHANNEL_ERROR("type Id = uuid;\nchannel a.b(x: Id) \"ns:{x}\" -> A;", "not 'Id'");
    /* An alias of string is fine. */
    Compiled c;
    char *text = with_models("type Id = string;\nchannel a.b(x: Id) \"ns:{x}\" -> A;\n");
    assert_compiles(&c, text);
    compiled_free(&c);
    free(text);
}

static void test_namespace_and_option_errors(void **state) {
    (void)state;
    CHANNEL_ERROR("channel a.b(x: string) \"n{x}:y\" -> A;", "must be literal text");
    CHANNEL_ERROR("channel a.b() \"n:y\" -> A;", "'n' is not a valid Centrifugo namespace");
    CHANNEL_ERROR("channel a.b() \"a b:y\" -> A;", "'a b' is not a valid Centrifugo namespace");
    CHANNEL_ERROR("channel a.b() \"ns:y#\" -> A;", "ends with '#'");
    CHANNEL_ERROR("channel a.b() \"ns:caf\u00e9\" -> A;", "not printable ASCII");
    CHANNEL_ERROR("channel a.b() \"$ns:x\" -> A;", "starts with '$'");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @subscribe(\"user\");", "@subscribe(\"user\") needs a user-limited");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @subscribe(\"all\");",
                  "@subscribe takes \"user\", \"guard\" or \"any\"");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @history(size: 1);", "@history needs both size and ttl");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @history(size: 1, ttl: -1);", "@history's ttl must be a positive");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @history(size: 1, ttl: 2, max: 3);", "@history takes named arguments");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @publish(true);", "@publish takes no argument");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @method(\"x\");", "@method is not allowed on a channel");
    CHANNEL_ERROR("model M @history(size: 1, ttl: 1) { }", "@history is not allowed on a model");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @history(size: 1, ttl: 2);\nchannel a.c() \"ns:z\" -> A;",
                  "channels 'a.b' and 'a.c' are both in namespace 'ns' but disagree on history");
    CHANNEL_ERROR("channel a.b() \"ns:y\" -> A @publish;\nchannel a.c() \"ns:z\" -> A;",
                  "but only 'a.b' has @publish");
    CHANNEL_ERROR("channel a.b() \"y\" -> A @subscribe(\"any\");\nchannel a.c() \"z\" -> A;",
                  "channels 'a.b' and 'a.c' are both in no namespace but disagree on who may subscribe (\"any\" and "
                  "\"guard\" by default)");
}

static void overlap_case(const char *first, const char *second, bool overlap) {
    char text[512];
    snprintf(text, sizeof text, "model A { x: int; }\nchannel one.c(s: string, i: int) \"%s\" -> A;\n"
                                "channel two.c(t: string, j: int) \"%s\" -> A;\n", first, second);
    Compiled c;
    compile_text(&c, "t.rpc", text);
    bool reported = strstr(c.messages, "can produce the same channel name") != NULL;
    if (reported != overlap)
        fail_msg("%s and %s: overlap %s expected, got:\n%s", first, second, overlap ? "" : "not", c.messages);
    compiled_free(&c);
}

static void test_overlapping_patterns(void **state) {
    (void)state;
    overlap_case("ns:{s}.x{i}", "ns:{t}.x{j}", true);       /* the same pattern */
    overlap_case("ns:b.{s}x{i}", "ns:{t}x{j}", true);       /* t may begin with "b." */
    overlap_case("ns:b.{s}x{i}", "ns:{t}y{j}", false);      /* the text before the last number: x or y */
    overlap_case("ns:a{i}.{s}", "ns:b{j}.{t}", false);      /* different literal text */
    overlap_case("ns:{i}.{s}", "ns:x.{t}-{j}", false);      /* an int never reads "x" */
    overlap_case("ns:{i}.{s}", "ns:-5.{t}a{j}", true);      /* ints may be negative */
    overlap_case("ns:{i}.{s}", "ns:-.{t}a{j}", false);      /* but "-" alone is no int */
    overlap_case("ns:{s}#{i}", "ns:{t}#{j}5", true);
    overlap_case("ns:x{i}y{s}", "ns:x{j}z{t}", false);      /* digits, then y or z */
    overlap_case("ns:{s}:{i}", "xs:{t}:{j}", false);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channel_lowers_parts_params_and_options),
        cmocka_unit_test(test_channel_names_per_target),
        cmocka_unit_test(test_inline_union_publication_is_hoisted),
        cmocka_unit_test(test_publication_without_publish_is_only_received),
        cmocka_unit_test(test_channel_is_a_keyword_and_a_name),
        cmocka_unit_test(test_program_with_only_channels),
        cmocka_unit_test(test_pattern_errors),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_namespace_and_option_errors),
        cmocka_unit_test(test_overlapping_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
