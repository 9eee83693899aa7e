//go:build race

package main

// raceDetector is true under -race, whose shadow memory grows with every call: the memory soak allows more then.
const raceDetector = true
