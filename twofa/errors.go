package twofa

import (
	"errors"

	"billhound/qrscan"
)

// Kinds of bad input. Each InputError wraps exactly one of them, so a caller
// can branch on the kind with errors.Is while showing the InputError's own
// message (which is more specific) to the user.
var (
	// The image's own problems, found by package qrscan: the same values,
	// so errors.Is works on either package's name.
	ErrNotImage    = qrscan.ErrNotImage
	ErrBadImage    = qrscan.ErrBadImage
	ErrImageTooBig = qrscan.ErrImageTooBig
	ErrNoQRCode    = qrscan.ErrNoQRCode

	ErrNotOTP       = errors.New("the QR code is not a 2FA setup code")    // some other text
	ErrBadURI       = errors.New("the otpauth link is not valid")          // scheme, digits, period, algorithm…
	ErrBadKey       = errors.New("the security key is not valid")          // length or characters
	ErrUnsupported  = errors.New("this kind of 2FA code is not supported") // HOTP, MD5
	ErrBadMigration = errors.New("the authenticator export is not valid")  // otpauth-migration:// data
)

// InputError is a problem with what the user supplied (HTTP 400), as opposed
// to an internal fault (HTTP 500). Its message is a complete, user-facing
// sentence and never contains secret material.
type InputError struct {
	Kind error  // one of the Err* values above
	Msg  string // what to tell the user
}

func (e *InputError) Error() string { return e.Msg }

// Unwrap lets errors.Is(err, ErrNoQRCode) and friends see the kind.
func (e *InputError) Unwrap() error { return e.Kind }

// IsInputError reports whether err (or anything it wraps) is an *InputError,
// i.e. whether the user should fix their input rather than retry.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

func inputErr(kind error, msg string) *InputError {
	return &InputError{Kind: kind, Msg: msg}
}
