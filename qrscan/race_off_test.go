//go:build !race

package qrscan

// raceDetector says the tests run under -race, which slows the decoder
// about tenfold.
const raceDetector = false
