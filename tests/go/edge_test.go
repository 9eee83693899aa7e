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

// The presence rules of the generated README, field by field.
func TestPresenceOfAZeroModel(t *testing.T) {
	object := marshalObject(t, edge.Func{Scalar: edge.Scalar{Value: edge.Scalar_Int(1)}, MixedUnion: edge.Mixed{Value: edge.MixedLiteral{}}})
	want := map[string]string{
		// required: always sent; nil lists and maps as empty ones, bytes as ""
		"default": `""`, "content-type": `""`, "at": `""`, "id": `""`, "blob": `null`,
		"raw": `""`, "literals": `[]`, "mixed": `[]`, "shapes": `[]`, "names": `[]`, "names_alias": `[]`,
		"by_int": `{}`, "by_int_enum": `{}`, "by_uuid": `{}`, "when": `"0001-01-01T00:00:00Z"`,
		"scalar": `1`, "mixed_union": `"auto"`,
		// required single literals are filled in
		"answer": `42`, "yes": `true`, "one_kind": `"only"`,
		// required nullable: nil is null
		"chan": `null`, "when_null": `null`, "maybe_name": `null`, "nullable_list": `null`,
		// `= null` defaults are left out when nil (issue 15: send what the caller set): not in this list
		// duration: the zero Duration in the wire format
		"took": `"PT0S"`,
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
		Go:               edge.Ptr(int64(0)),
		Dash:             edge.Ptr(int64(0)),
		OptionalList:     []int64{},
		Tags:             []string{},
		On:               edge.Ptr(false),
		Kind:             edge.Ptr(edge.ChanNil),
		Select:           edge.Ptr(0.0),
		Level:            edge.RangeBig,
		NullableDefault:  edge.Some(int64(0)),
		OptionalNullable: edge.Some(""),
		ZeroDay:          []byte{0, 255},
		Answer:           7,
		Scalar:           edge.Scalar{Value: edge.ScalarString("s")},
		MixedUnion:       edge.Mixed{Value: edge.MixedList{}},
		Took:             edge.Duration(90 * time.Minute),
	})
	want := map[string]string{
		"go": `0`, "-": `0`, "optional_list": `[]`, "tags": `[]`, "on": `false`, "kind": `""`,
		"level": `9007199254740993`, "nullable_default": `0`, "optional_nullable": `""`, "0day": `"AP8="`,
		"answer": `7`, "scalar": `"s"`, "mixed_union": `[]`, "select": `0`, "took": `"PT1H30M"`,
	}
	for key, value := range want {
		if got := string(object[key]); got != value {
			t.Errorf("%q: want %s, got %s", key, value, got)
		}
	}
}

// `x?: T | null` and `x: T | null = v`: absent, null and a value are sent and decoded as three states.
func TestThreeStateFields(t *testing.T) {
	base := edge.Func{Scalar: edge.Scalar{Value: edge.Scalar_Int(1)}, MixedUnion: edge.Mixed{Value: edge.MixedLiteral{}}}
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
	if shape, ok := box.OptionalShape.Get(); !ok || shape.Value.(*edge.Square) == nil {
		t.Errorf("optional_shape: %+v", box.OptionalShape)
	}
}

func TestTaggedUnion(t *testing.T) {
	// An optional union is a value: left out while no alternative is set.
	if object := marshalObject(t, edge.ShapeBox{Shape: edge.Shape{Value: &edge.Square{}}}); len(object) != 2 {
		t.Fatalf("want shape and mixed only, got %v", object)
	}
	var box edge.ShapeBox
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"square","side":2},"mixed":null}`), &box); err != nil {
		t.Fatal(err)
	}
	if square, ok := box.Shape.Value.(*edge.Square); !ok || *square.Side != 2 || box.Mixed != nil {
		t.Fatalf("got %+v", box)
	}
	if err := json.Unmarshal([]byte(`{"shape":{"kind":"hexagon"}}`), &box); err == nil || !strings.Contains(err.Error(), "hexagon") {
		t.Fatalf("an unknown tag must fail: %v", err)
	}
	// The tag is no field of Circle: it cannot be set to another model's tag.
	data, err := json.Marshal(edge.Shape{Value: &edge.Circle{Radius: 1.5}})
	if err != nil || string(data) != `{"kind":"circle","radius":1.5}` {
		t.Fatalf("got %s %v", data, err)
	}
	if data, err := json.Marshal(edge.Circle{Radius: 2}); err != nil || string(data) != `{"kind":"circle","radius":2}` {
		t.Fatalf("a Circle alone: got %s %v", data, err)
	}
	var circle edge.Circle
	if err := json.Unmarshal([]byte(`{"kind":"square","radius":1}`), &circle); err == nil || !strings.Contains(err.Error(), "go_edge: Circle") {
		t.Fatalf("a Circle with another tag must fail: %v", err)
	}
	if _, err := json.Marshal(edge.Shape{Value: (*edge.Circle)(nil)}); err == nil {
		t.Fatal("a nil *Circle is no alternative")
	}
	if _, err := json.Marshal(edge.ShapeBox{}); err == nil {
		t.Fatal("a required union with no alternative set must not marshal")
	}
}

func TestUntaggedUnionTriesInOrder(t *testing.T) {
	cases := map[string]edge.Scalar{
		`12`:   {Value: edge.Scalar_Int(12)},
		`1.5`:  {Value: edge.ScalarFloat(1.5)},
		`"x"`:  {Value: edge.ScalarString("x")},
		`true`: {Value: edge.ScalarBool(true)},
	}
	for input, want := range cases {
		var s edge.Scalar
		if err := json.Unmarshal([]byte(input), &s); err != nil || s != want {
			t.Errorf("%s: got %+v %v", input, s, err)
		}
	}
	var s edge.Scalar
	if err := json.Unmarshal([]byte(`[1]`), &s); err == nil {
		t.Error("a list is no Scalar")
	}
	mixed := map[string]func(edge.Mixed) bool{
		`{"kind":"circle","radius":2}`: func(m edge.Mixed) bool { c, ok := m.Value.(*edge.Circle); return ok && c.Radius == 2 },
		`[1,2]`: func(m edge.Mixed) bool {
			l, ok := m.Value.(edge.MixedList)
			return ok && reflect.DeepEqual([]int64(l), []int64{1, 2})
		},
		`"2026-01-02T03:04:05+01:00"`: func(m edge.Mixed) bool {
			ts, ok := m.Value.(edge.MixedTimestamp)
			return ok && time.Time(ts).Hour() == 3
		},
		`"manual"`: func(m edge.Mixed) bool { return m.Value == edge.MixedLiteral5{} },
	}
	for input, check := range mixed {
		var m edge.Mixed
		if err := json.Unmarshal([]byte(input), &m); err != nil || !check(m) {
			t.Errorf("%s: got %+v %v", input, m, err)
		}
		// Every decoded value encodes again, to the same JSON.
		if data, err := json.Marshal(m); err != nil || !sameJSON(t, data, []byte(input)) {
			t.Errorf("%s: sent back as %s %v", input, data, err)
		}
	}
	var m edge.Mixed
	if err := json.Unmarshal([]byte(`"other"`), &m); err == nil {
		t.Error(`"other" is none of the literals`)
	}
	if err := json.Unmarshal([]byte(`{"kind":"square","radius":2}`), &m); err == nil {
		t.Error(`a square is no Circle: its tag has the wrong value`)
	}
}

// Issue 24: an untagged union chooses the alternative whose literal fields have their values and whose required
// fields are present, not the first whose Go fields the JSON can fill.
func TestUntaggedUnionHonoursLiteralsAndRequiredFields(t *testing.T) {
	cases := map[string]func(edge.Typed) bool{
		`{"type":"b","x":1}`: func(u edge.Typed) bool { b, ok := u.Value.(*edge.TypedB); return ok && b.X == 1 },
		`{"type":"a","x":2}`: func(u edge.Typed) bool { a, ok := u.Value.(*edge.TypedA); return ok && a.X == 2 },
		`{"type":"b","x":1,"y":3}`: func(u edge.Typed) bool {
			b, ok := u.Value.(*edge.TypedB)
			return ok && b.Y != nil && *b.Y == 3
		},
		`{"type":"d","x":4,"note":null}`: func(u edge.Typed) bool { c, ok := u.Value.(*edge.TypedC); return ok && c.Type == "d" },
	}
	for input, check := range cases {
		var box edge.ShapeBox
		payload := `{"shape":{"kind":"circle","radius":1},"mixed":null,"typed":` + input + `}`
		if err := json.Unmarshal([]byte(payload), &box); err != nil || box.Typed.IsZero() || !check(box.Typed) {
			t.Errorf("%s: got %+v %v", input, box.Typed, err)
			continue
		}
		if data, err := json.Marshal(box.Typed); err != nil || !sameJSON(t, data, []byte(input)) {
			t.Errorf("%s: sent back as %s %v", input, data, err)
		}
	}
	for _, input := range []string{
		`{"type":"a"}`,                // x is required
		`{"type":"e","x":1}`,          // no alternative has type "e"
		`{"type":"a","x":1,"y":2}`,    // y is no key of TypedA, and "a" is not TypedB's type
		`{"type":"c","x":1}`,          // note is required (it may be null, not absent)
		`{"type":null,"x":1}`,         // a literal is not null
		`{"type":"b","x":1,"z":true}`, // z is no key of any alternative
	} {
		var u edge.Typed
		if err := json.Unmarshal([]byte(input), &u); err == nil {
			t.Errorf("%s: decoded as %T, want an error", input, u.Value)
		}
	}
}

// An `any` alternative keeps integers beyond 2^53 exact, as Client.Call does for any values (json.Number).
func TestAnyAlternativeKeepsBigIntegers(t *testing.T) {
	var u edge.Loose
	if err := json.Unmarshal([]byte(`[9007199254740993]`), &u); err != nil {
		t.Fatal(err)
	}
	if _, ok := u.Value.(edge.LooseAny); !ok {
		t.Fatalf("got %T", u.Value)
	}
	if data, err := json.Marshal(u); err != nil || string(data) != `[9007199254740993]` {
		t.Fatalf("sent back as %s %v", data, err)
	}
	if err := json.Unmarshal([]byte(`7`), &u); err != nil || u.Value != edge.LooseInt(7) {
		t.Fatalf("got %#v %v", u.Value, err)
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// Unknown enum values are kept and sent back unchanged (open enums, as proto3); IsKnown tells them apart.
func TestUnknownEnumValuesAreKept(t *testing.T) {
	var m map[string]edge.Chan
	if err := json.Unmarshal([]byte(`{"a":"purple","b":"func"}`), &m); err != nil {
		t.Fatal(err)
	}
	if m["a"] != "purple" || m["a"].IsKnown() || !m["b"].IsKnown() || m["b"] != edge.ChanFunc {
		t.Fatalf("got %v", m)
	}
	if data, err := json.Marshal(m); err != nil || string(data) != `{"a":"purple","b":"func"}` {
		t.Fatalf("sent back as %s %v", data, err)
	}
	if !edge.RangeMin.IsKnown() || edge.Range(5).IsKnown() || !edge.ChanNil.IsKnown() {
		t.Fatal("IsKnown of int and string enums")
	}
}

// duration is edge.Duration, a time.Duration that is an ISO 8601 duration on the wire (as Pydantic's timedelta).
func TestDurationWireFormat(t *testing.T) {
	cases := map[time.Duration]string{
		0:                `"PT0S"`,
		time.Second:      `"PT1S"`,
		90 * time.Minute: `"PT1H30M"`,
		24 * time.Hour:   `"P1D"`,
		26*time.Hour + 3*time.Minute + 4500*time.Millisecond: `"P1DT2H3M4.5S"`,
		-250 * time.Millisecond:                              `"-PT0.25S"`,
		time.Microsecond:                                     `"PT0.000001S"`,
		time.Duration(1<<63 - 1):                             `"P106751DT23H47M16.854775807S"`,
		time.Duration(-1 << 63):                              `"-P106751DT23H47M16.854775808S"`,
	}
	for value, wire := range cases {
		data, err := json.Marshal(edge.Duration(value))
		if err != nil || string(data) != wire {
			t.Errorf("%v: got %s %v, want %s", value, data, err, wire)
		}
		var back edge.Duration
		if err := json.Unmarshal([]byte(wire), &back); err != nil || time.Duration(back) != value {
			t.Errorf("%s: decoded as %v %v", wire, time.Duration(back), err)
		}
	}
	also := map[string]time.Duration{
		`"PT36H"`: 36 * time.Hour, `"P2W"`: 14 * 24 * time.Hour, `"P1Y"`: 365 * 24 * time.Hour,
		`"P1M"`: 30 * 24 * time.Hour, `"+PT1.5S"`: 1500 * time.Millisecond, `"PT0.1234567891S"`: 123456789,
	}
	for wire, value := range also {
		var back edge.Duration
		if err := json.Unmarshal([]byte(wire), &back); err != nil || time.Duration(back) != value {
			t.Errorf("%s: decoded as %v %v, want %v", wire, time.Duration(back), err, value)
		}
	}
	for _, bad := range []string{`""`, `"P"`, `"PT"`, `"1S"`, `"P1.5D"`, `"PT1S2M"`, `"P1H"`, `"PT1H1H"`, `"P300Y"`, `"PTS"`, `3`, `"P1DT"`} {
		var back edge.Duration
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: decoded as %v, want an error", bad, time.Duration(back))
		}
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
	// `since: timestamp | null = null` is left out when the caller did not set it (issue 15).
	object := marshalObject(t, tasks.TaskStatsParams{UserID: "u"})
	if len(object) != 1 || string(object["user_id"]) != `"u"` {
		t.Fatalf("want only user_id, got %v", object)
	}
	object = marshalObject(t, tasks.TaskCreateParams{Title: "t", Priority: tasks.Ptr(tasks.PriorityHigh), Labels: []string{"a"}})
	if string(object["priority"]) != `3` || string(object["labels"]) != `["a"]` {
		t.Fatalf("got %v", object)
	}
	var task tasks.Task
	when := `"2026-01-02T03:04:05.5+01:00"`
	if err := json.Unmarshal([]byte(`{"id":1,"title":"t","status":"in_progress","priority":1,"labels":[],"created_at":`+when+`,"due":null}`), &task); err != nil {
		t.Fatal(err)
	}
	// Task is only received: its defaulted fields are always sent by the server, so they are values, not pointers.
	if task.Status != tasks.TaskStatusInProgress || task.Priority != tasks.PriorityLow || task.Due != nil ||
		!task.CreatedAt.Equal(time.Date(2026, 1, 2, 2, 4, 5, 5e8, time.UTC)) {
		t.Fatalf("got %+v", task)
	}
}
