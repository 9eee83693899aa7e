package gotests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	edge "example.com/edge"
	tasks "example.com/tasks"
)

func marshalObject(t *testing.T, v any) map[string]json.RawMessage {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal(data, &object); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return object
}

func ptr[T any](v T) *T { return &v }

// The presence rules of the generated README, field by field.
func TestPresenceOfAZeroModel(t *testing.T) {
	object := marshalObject(t, edge.Func{Scalar: edge.Scalar{Int: ptr(int64(1))}, MixedUnion: edge.Mixed{Literal: ptr("auto")}})
	want := map[string]string{
		// required: always sent; nil lists and maps as empty ones, bytes as ""
		"default": `""`, "content-type": `""`, "at": `""`, "took": `""`, "id": `""`, "blob": `null`,
		"raw": `""`, "literals": `[]`, "mixed": `[]`, "shapes": `[]`, "names": `[]`, "names_alias": `[]`,
		"by_int": `{}`, "by_int_enum": `{}`, "by_uuid": `{}`, "when": `"0001-01-01T00:00:00Z"`,
		"scalar": `1`, "mixed_union": `"auto"`,
		// required single literals are filled in
		"answer": `42`, "yes": `true`, "one_kind": `"only"`,
		// required nullable: nil is null
		"chan": `null`, "when_null": `null`, "maybe_name": `null`, "nullable_list": `null`,
		// `= null` defaults: nil is null, the default
		"select": `null`, "maybe_blob": `null`,
	}
	for key, value := range want {
		if got, ok := object[key]; !ok || string(got) != value {
			t.Errorf("%q: want %s, got %s (present %v)", key, value, got, ok)
		}
	}
	for key := range object {
		if _, ok := want[key]; !ok {
			t.Errorf("%q is sent but should be left out (zero value of an optional or defaulted field)", key)
		}
	}
}

func TestPresenceOfSetFields(t *testing.T) {
	object := marshalObject(t, edge.Func{
		Go:               ptr(int64(0)),
		Dash:             ptr(int64(0)),
		OptionalList:     []int64{},
		Tags:             []string{},
		On:               ptr(false),
		Kind:             ptr(edge.ChanNil),
		Level:            edge.RangeBig,
		NullableDefault:  edge.Some(int64(0)),
		OptionalNullable: edge.Some(""),
		ZeroDay:          []byte{0, 255},
		Answer:           7,
		Scalar:           edge.Scalar{String: ptr("s")},
		MixedUnion:       edge.Mixed{List: []int64{}},
	})
	want := map[string]string{
		"go": `0`, "-": `0`, "optional_list": `[]`, "tags": `[]`, "on": `false`, "kind": `""`,
		"level": `9007199254740993`, "nullable_default": `0`, "optional_nullable": `""`, "0day": `"AP8="`,
		"answer": `7`, "scalar": `"s"`, "mixed_union": `[]`,
	}
	for key, value := range want {
		if got := string(object[key]); got != value {
			t.Errorf("%q: want %s, got %s", key, value, got)
		}
	}
}

// `x?: T | null` and `x: T | null = v`: absent, null and a value are sent and decoded as three states.
func TestThreeStateFields(t *testing.T) {
	base := edge.Func{Scalar: edge.Scalar{Int: ptr(int64(1))}, MixedUnion: edge.Mixed{Literal: ptr("auto")}}
	nulls := base
	nulls.OptionalNullable = edge.Null[string]()
	nulls.NullableDefault = edge.Null[int64]()
	object := marshalObject(t, nulls)
	if string(object["optional_nullable"]) != `null` || string(object["nullable_default"]) != `null` {
		t.Errorf("null must be sent: %s %s", object["optional_nullable"], object["nullable_default"])
	}
	object = marshalObject(t, base)
	if _, ok := object["optional_nullable"]; ok {
		t.Error("absent optional_nullable is sent")
	}
	if _, ok := object["nullable_default"]; ok {
		t.Error("absent nullable_default is sent")
	}

	var box edge.ShapeBox
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"circle","radius":1},"optional_shape":null,"mixed":null}`), &box); err != nil {
		t.Fatal(err)
	}
	if !box.OptionalShape.Null {
		t.Errorf("optional_shape: null must be kept: %+v", box.OptionalShape)
	}
	data, err := json.Marshal(box)
	if err != nil || string(data) != `{"shape":{"kind":"circle","radius":1},"optional_shape":null,"mixed":null}` {
		t.Errorf("sent back %s %v", data, err)
	}
	box = edge.ShapeBox{}
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"circle","radius":1},"mixed":null}`), &box); err != nil || !box.OptionalShape.IsZero() {
		t.Errorf("optional_shape: absent must stay absent: %+v %v", box.OptionalShape, err)
	}
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"circle","radius":1},"optional_shape":{"kind":"square"},"mixed":null}`), &box); err != nil {
		t.Fatal(err)
	}
	if shape, ok := box.OptionalShape.Get(); !ok || shape.Square == nil {
		t.Errorf("optional_shape: %+v", box.OptionalShape)
	}
}

func TestTaggedUnion(t *testing.T) {
	var box edge.ShapeBox
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"square","side":2},"mixed":null}`), &box); err != nil {
		t.Fatal(err)
	}
	if box.Shape.Square == nil || *box.Shape.Square.Side != 2 || box.Shape.Circle != nil || box.Mixed != nil {
		t.Fatalf("got %+v", box)
	}
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"hexagon"}}`), &box); err == nil || !strings.Contains(err.Error(), "hexagon") {
		t.Fatalf("an unknown tag must fail: %v", err)
	}
	data, err := json.Marshal(edge.Shape{Circle: &edge.Circle{Radius: 1.5}})
	if err != nil || string(data) != `{"kind":"circle","radius":1.5}` {
		t.Fatalf("got %s %v", data, err)
	}
	if _, err := json.Marshal(edge.ShapeBox{}); err == nil {
		t.Fatal("a required union with no alternative set must not marshal")
	}
}

func TestUntaggedUnionTriesInOrder(t *testing.T) {
	cases := map[string]func(edge.Scalar) bool{
		`12`:   func(s edge.Scalar) bool { return s.Int != nil && *s.Int == 12 },
		`1.5`:  func(s edge.Scalar) bool { return s.Float != nil && *s.Float == 1.5 },
		`"x"`:  func(s edge.Scalar) bool { return s.String != nil && *s.String == "x" },
		`true`: func(s edge.Scalar) bool { return s.Bool != nil && *s.Bool },
	}
	for input, check := range cases {
		var s edge.Scalar
		if err := json.Unmarshal([]byte(input), &s); err != nil || !check(s) {
			t.Errorf("%s: got %+v %v", input, s, err)
		}
	}
	var s edge.Scalar
	if err := json.Unmarshal([]byte(`[1]`), &s); err == nil {
		t.Error("a list is no Scalar")
	}
	mixed := map[string]func(edge.Mixed) bool{
		`{"kind":"circle","radius":2}`: func(m edge.Mixed) bool { return m.Circle != nil && m.Circle.Radius == 2 },
		`[1,2]`:                        func(m edge.Mixed) bool { return reflect.DeepEqual(m.List, []int64{1, 2}) },
		`"2026-01-02T03:04:05+01:00"`:  func(m edge.Mixed) bool { return m.Timestamp != nil && m.Timestamp.Hour() == 3 },
		`"manual"`:                     func(m edge.Mixed) bool { return m.Literal5 != nil && *m.Literal5 == "manual" },
	}
	for input, check := range mixed {
		var m edge.Mixed
		if err := json.Unmarshal([]byte(input), &m); err != nil || !check(m) {
			t.Errorf("%s: got %+v %v", input, m, err)
		}
	}
	var m edge.Mixed
	if err := json.Unmarshal([]byte(`"other"`), &m); err == nil {
		t.Error(`"other" is none of the literals`)
	}
}

func TestInt64IsExact(t *testing.T) {
	var node edge.Node
	if err := json.Unmarshal([]byte(`{"value":9223372036854775807,"parent":null,"children":[{"value":-9007199254740993,"parent":null}]}`), &node); err != nil {
		t.Fatal(err)
	}
	if node.Value != 9223372036854775807 || node.Children[0].Value != -9007199254740993 || node.Parent != nil {
		t.Fatalf("got %+v", node)
	}
	if edge.RangeMin != -9223372036854775808 || edge.RangeBig != 9007199254740993 {
		t.Fatal("enum constants")
	}
}

func TestEnumConstantsKeepTheirValues(t *testing.T) {
	if edge.ChanQuoted != "say \"hi\" \\ bye" || edge.ChanControls != "tab\tnewline\nnul\x00del\x7f" || edge.ChanUnicode != "naïve café 日本語 🚀" {
		t.Fatal("string enum values")
	}
	var m map[edge.Range]string
	if err := json.Unmarshal([]byte(`{"-7":"neg"}`), &m); err != nil || m[edge.RangeNegative] != "neg" {
		t.Fatalf("int enum map keys: %v %v", m, err)
	}
}

func TestTasksParamsLeaveDefaultsToTheServer(t *testing.T) {
	object := marshalObject(t, tasks.TaskStatsParams{UserID: "u"})
	if len(object) != 2 || string(object["user_id"]) != `"u"` || string(object["since"]) != `null` {
		t.Fatalf("want only user_id and since (null is its default), got %v", object)
	}
	object = marshalObject(t, tasks.TaskCreateParams{Title: "t", Priority: ptr(tasks.PriorityHigh), Labels: []string{"a"}})
	if string(object["priority"]) != `3` || string(object["labels"]) != `["a"]` {
		t.Fatalf("got %v", object)
	}
	var task tasks.Task
	when := `"2026-01-02T03:04:05.5+01:00"`
	if err := json.Unmarshal([]byte(`{"id":1,"title":"t","status":"in_progress","priority":1,"labels":[],"created_at":`+when+`,"due":null}`), &task); err != nil {
		t.Fatal(err)
	}
	if task.Status != tasks.TaskStatusInProgress || *task.Priority != tasks.PriorityLow || task.Due != nil ||
		!task.CreatedAt.Equal(time.Date(2026, 1, 2, 2, 4, 5, 5e8, time.UTC)) {
		t.Fatalf("got %+v", task)
	}
}
