package qrscan

import "errors"

// Kinds of bad input. Each InputError wraps exactly one of them, so a caller
// can branch on the kind with errors.Is while showing the InputError's own
// message (which is more specific) to the user.
var (
	ErrNotImage    = errors.New("the file is not an image")      // not PNG, JPEG, GIF or WebP
	ErrBadImage    = errors.New("the image could not be read")   // damaged or truncated
	ErrImageTooBig = errors.New("the image is too large")        // over DecodeOptions.MaxPixels
	ErrNoQRCode    = errors.New("no QR code found in the image") // or none readable
)

// InputError is a problem with the uploaded image (HTTP 400), as opposed to
// an internal fault. Its message is a complete, user-facing sentence.
type InputError struct {
	Kind error  // one of the Err* values above
	Msg  string // what to tell the user
}

func (e *InputError) Error() string { return e.Msg }

// Unwrap lets errors.Is(err, ErrNoQRCode) and friends see the kind.
func (e *InputError) Unwrap() error { return e.Kind }

// IsInputError reports whether err (or anything it wraps) is an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

func inputErr(kind error, msg string) *InputError {
	return &InputError{Kind: kind, Msg: msg}
}
