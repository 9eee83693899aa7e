// Command driver is the conformance driver of the generated Go SDK (protocol: ../check_vectors.py): it decodes
// each vector into the generated type as Client.Call decodes a result, and encodes it again as Call encodes params.
//
// A publication case decodes as ChannelSubscription[T].deliver does, through decodePublication: null refused, else
// json.Decoder with UseNumber, into the T of the generated Subscribe method of the channel (taken from the
// method's signature); a failure becomes the *PublicationDecodeError the OnDecodeError hook is given.
// decodePublication is unexported: the driver does what it does, as it does for results (the runtime's own tests,
// runtime-templates/go/subscription_test.go, run it through a subscription).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// publicationOf returns a maker of the publication type T of a generated Subscribe method.
func publicationOf[T any](func(*conf.APIClient, context.Context, ...conf.ChannelOption) (*conf.ChannelSubscription[T],
	error)) func() any {
	return func() any { return new(T) }
}

// channels maps the channels of conformance.rpc to a new value of their publication type.
var channels = map[string]func() any{
	"conformance.shapes": publicationOf((*conf.APIClient).SubscribeConformanceShapes),
	"conformance.notes":  publicationOf((*conf.APIClient).SubscribeConformanceNotes),
}

type input struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Channel string `json:"channel"`
	In      string `json:"in"`
}

type answer struct {
	Name     string `json:"name"`
	Out      string `json:"out,omitempty"`
	Error    string `json:"error,omitempty"`
	Reported string `json:"reported,omitempty"`
}

// publication is what a subscription to in.Channel does with a publication whose data is in.In.
func publication(in input) answer {
	newValue, ok := channels[in.Channel]
	if !ok {
		return answer{Name: in.Name, Error: "driver: unknown channel " + in.Channel}
	}
	value := newValue()
	var err error
	if bytes.Equal(bytes.TrimSpace([]byte(in.In)), []byte("null")) {
		err = errors.New("the publication is null")
	} else {
		decoder := json.NewDecoder(bytes.NewReader([]byte(in.In)))
		decoder.UseNumber()
		err = decoder.Decode(value)
	}
	if err != nil {
		reported := &conf.PublicationDecodeError{Channel: in.Channel, Offset: 1, Data: json.RawMessage(in.In), Err: err}
		return answer{Name: in.Name, Reported: reported.Error()}
	}
	out, err := json.Marshal(value)
	if err != nil {
		return answer{Name: in.Name, Error: "encoding: " + err.Error()}
	}
	return answer{Name: in.Name, Out: string(out)}
}

func run(in input) answer {
	if in.Channel != "" {
		return publication(in)
	}
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
