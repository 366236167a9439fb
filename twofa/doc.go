// Package twofa turns what a user hands over to set up a portal's two-factor
// login (a photo or screenshot of the QR code, a typed security key, or a
// pasted otpauth:// link) into TOTP keys, and computes the codes.
//
// Every error caused by the input is an *InputError with a message meant
// for the user; IsInputError tells them apart from internal faults.
package twofa
