// Compile-time tests of the SDK generated from tests/typescript/edge/ts_edge.rpc: escaped names, quoted wire
// names, union precedence inside arrays, literal types, tagged unions. `@ts-expect-error` lines must fail.
import { APIClient, Date_, class_ } from "./typescript/index.js";
import type {
    Defaults,
    DefaultsInput,
    MaybeName,
    Node,
    Shape,
    ShapeBox,
    ShapeInput,
    Square,
    UserId,
    number_,
} from "./typescript/index.js";

export const kinds: class_[] = [class_.QUOTED, class_.NEW, class_.TEMPLATE, class_.SEPARATOR, class_.EMOJI];
export const quoted: class_ = 'say "hi" \\ bye';
export const separator: class_ = "a\u2028b\u2029c";
export const template: class_ = "${not_interpolated}";
export const numbers: Date_[] = [Date_.NEGATIVE, Date_.ZERO, -7];

export const value: number_ = {
    default: "d",
    delete: null,
    "content-type": "text/plain",
    "0day": "AAAA",
    $ref: "1.50",
    when: "2026-01-02T03:04:05Z",
    at: "12:00:00",
    took: "PT1S",
    id: "2f1b3c1e-8d4a-4e55-9a0b-6f0c2d7e9a10" satisfies UserId,
    blob: { anything: [1, 2] },
    nullable_items: [1, null, 2],
    literals: ["asc", "desc", "asc"],
    one_literal: ["only"],
    mixed: [1, "two"],
    shapes: [{ kind: "circle", radius: 1 }, null, { kind: "square" }],
    names: ["a", null],
    by_int: { 1: [{ x: 1.5 }] },
    by_enum: { new: 1 },
    by_uuid: {},
    answer: 42,
    yes: true,
    kind: class_.NEW,
    名前: "name",
    'a"b\\c\u2028d': "escaped",
};

// The array-union precedence bug would make these element types `number | null[]` and accept a bare number.
// @ts-expect-error a number is not an array
export const notAnArray: number_["nullable_items"] = 5;
// @ts-expect-error "up" is not one of the literals
export const badLiteral: number_["literals"] = ["up"];
// @ts-expect-error only 42
export const badAnswer: number_["answer"] = 41;
// @ts-expect-error a circle needs a radius
export const badShape: Shape = { kind: "circle" };
// @ts-expect-error the quoted wire name is the property, not the IDL name
export const wrongKey: Pick<number_, "content_type"> = { content_type: "x" };

export function narrow(shape: Shape): number {
    switch (shape.kind) {
        case "circle":
            return shape.radius;
        case "square":
            return shape.side ?? 1.5;
    }
}

export function walk(node: Node): number {
    return node.value + node.children.reduce((sum, child) => sum + walk(child), 0) + (node.parent === null ? 0 : 1);
}

export async function calls(api: APIClient): Promise<void> {
    const node: Node = await api.delete_(value);
    const empty = await api.call_();
    const defaults: Defaults = await api.aBCConstructor();
    const box: ShapeBox = await api.shapesGet();
    const name: MaybeName = null;
    // @ts-expect-error mode is "fast" | "slow"
    await api.call_({ mode: "medium" });
    void [node, empty, defaults, box, name];
}

// A model both sent and received with a defaulted field has two shapes: what you send may omit the field, results
// always hold it.
export const squareToSend: ShapeInput = { kind: "square" };
// @ts-expect-error in a result, side is always present
export const squareReceived: Shape = { kind: "square" };
export function side(square: Square): number {
    return square.side;
}
export const defaultsToSend: DefaultsInput = {};
export function received(defaults: Defaults): Defaults {
    return defaults;
}

// Map keys are strings (the JSON object's keys, what Object.entries yields), also for int keys.
export const intKey: keyof number_["by_int"] = "1";
