// Package secrets encrypts what billhound must keep but must not expose: portal passwords,
// TOTP secrets, recovery codes. Every value is sealed with AES-256-GCM under one key and bound
// to where it is stored (the "purpose"), so a sealed value copied into another row or column
// does not open.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the length of the AES-256 key in bytes.
const KeySize = 32

// version prefixes every sealed value so the format can change without guessing.
const version byte = 1

// ErrOpen means a sealed value could not be decrypted: a different key, or a damaged or moved
// value. The message never includes the value.
var ErrOpen = errors.New("secrets: cannot decrypt a stored secret (was BILLHOUND_SECRET_KEY changed?)")

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext for purpose (e.g. "portal/7/password"). An empty plaintext seals to
// nil so "not set" stays distinguishable without storing anything.
func (b *Box) Seal(purpose string, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+b.aead.Overhead())
	out = append(out, version)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(purpose)), nil
}

// Open decrypts a value sealed for the same purpose. nil opens to nil.
func (b *Box) Open(purpose string, sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	n := b.aead.NonceSize()
	if len(sealed) < 1+n+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// SealString and OpenString are the string forms of Seal and Open.
func (b *Box) SealString(purpose, plaintext string) ([]byte, error) {
	return b.Seal(purpose, []byte(plaintext))
}

func (b *Box) OpenString(purpose string, sealed []byte) (string, error) {
	p, err := b.Open(purpose, sealed)
	return string(p), err
}
