package importers

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// topLevel returns the names of a JSON object's fields; a file that is not JSON (or was cut
// short) is a clear error.
func topLevel(data []byte) (map[string]bool, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, damaged("JSON", err)
	}
	out := make(map[string]bool, len(obj))
	for k := range obj {
		out[k] = true
	}
	return out, nil
}

// damaged explains a file that could not be read: most often one cut short while copying it.
// json's messages are not shown: they may quote the file's content.
func damaged(format string, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input") {
		return bad(ErrDamaged, fmt.Sprintf("the %s export is damaged or incomplete; export it again and upload the new file", format))
	}
	return bad(ErrDamaged, fmt.Sprintf("the %s export is damaged: a field has an unexpected value; export it again and upload the new file", format))
}

// openGCM decrypts AES-256-GCM ciphertext with its tag appended, as both Aegis and 2FAS use it.
func openGCM(key, nonce, sealed []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, len(nonce))
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, nonce, sealed, nil)
}
