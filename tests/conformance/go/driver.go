// Command driver is the conformance driver of the generated Go SDK (protocol: ../check_vectors.py): it decodes
// each vector into the generated type as Client.Call decodes a result, and encodes it again as Call encodes params.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	conf "example.com/conformance"
)

// types maps the model names of conformance.rpc to a new value of the generated type.
var types = map[string]func() any{
	"Presence":   func() any { return new(conf.Presence) },
	"Defaults":   func() any { return new(conf.Defaults) },
	"Numbers":    func() any { return new(conf.Numbers) },
	"Text":       func() any { return new(conf.Text) },
	"Containers": func() any { return new(conf.Containers) },
	"Unions":     func() any { return new(conf.Unions) },
	"Untagged":   func() any { return new(conf.Untagged) },
	"TypedA":     func() any { return new(conf.TypedA) },
	"Literals":   func() any { return new(conf.Literals) },
	"Opened":     func() any { return new(conf.Opened) },
	"OpenUnions": func() any { return new(conf.OpenUnions) },
	"OpenLoose":  func() any { return new(conf.OpenLoose) },
	"Enums":      func() any { return new(conf.Enums) },
	"Times":      func() any { return new(conf.Times) },
	"Money":      func() any { return new(conf.Money) },
	"Blob":       func() any { return new(conf.Blob) },
	"Anything":   func() any { return new(conf.Anything) },
}

type input struct {
	Name string `json:"name"`
	Type string `json:"type"`
	In   string `json:"in"`
}

type answer struct {
	Name  string `json:"name"`
	Out   string `json:"out,omitempty"`
	Error string `json:"error,omitempty"`
}

func run(in input) answer {
	newValue, ok := types[in.Type]
	if !ok {
		return answer{Name: in.Name, Error: "driver: unknown type " + in.Type}
	}
	value := newValue()
	// As Client.Call decodes a result: json.Decoder with UseNumber.
	decoder := json.NewDecoder(bytes.NewReader([]byte(in.In)))
	decoder.UseNumber()
	if err := decoder.Decode(value); err != nil {
		return answer{Name: in.Name, Error: err.Error()}
	}
	// As Client.Call encodes params: json.Marshal.
	out, err := json.Marshal(value)
	if err != nil {
		return answer{Name: in.Name, Error: "encoding: " + err.Error()}
	}
	return answer{Name: in.Name, Out: string(out)}
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	encoder := json.NewEncoder(os.Stdout)
	for scanner.Scan() {
		if len(bytes.TrimSpace(scanner.Bytes())) == 0 {
			continue
		}
		var in input
		if err := json.Unmarshal(scanner.Bytes(), &in); err != nil {
			fmt.Fprintln(os.Stderr, "driver: bad input line:", err)
			os.Exit(2)
		}
		if err := encoder.Encode(run(in)); err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			os.Exit(2)
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(2)
	}
}
