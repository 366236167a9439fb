package importers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"

	"golang.org/x/crypto/scrypt"
)

// The helpers here write exports the way the apps write them, from their documented formats:
// Aegis' docs/vault.md (scrypt N=2^15, r=8, p=1, a 32-byte salt, AES-256-GCM with 12-byte
// nonces and the 16-byte tag kept apart, hex) and 2FAS' backup (PBKDF2-HMAC-SHA256, 10,000
// rounds, a 256-byte salt, a 12-byte IV, "ciphertext+tag:salt:iv" in base64).

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// sealGCM returns ciphertext and tag apart, as Aegis stores them.
func sealGCM(t *testing.T, key, nonce, plain []byte) (ct, tag []byte) {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	out := gcm.Seal(nil, nonce, plain, nil)
	return out[:len(out)-gcm.Overhead()], out[len(out)-gcm.Overhead():]
}

// aegisEntries are the entries of the test vault: TOTP, HOTP, Steam and one kind billhound
// cannot use.
var aegisEntries = []map[string]any{
	{"type": "totp", "uuid": "3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d", "name": "bob@example.com", "issuer": "GitHub", "icon": nil,
		"info": map[string]any{"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30}},
	{"type": "hotp", "uuid": "59c9d1ad-4e3a-4a87-9c3c-3c6a7fd3a1c0", "name": "alice", "issuer": "Bank", "icon": nil,
		"info": map[string]any{"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algo": "SHA1", "digits": 6, "counter": 4}},
	{"type": "steam", "uuid": "7a5e3f68-0c5d-4bb3-9b4d-2f4c3df7c111", "name": "gabe", "issuer": "Steam", "icon": nil,
		"info": map[string]any{"secret": "63BEDWCQZKTQWPESARIERL5DTTQFCJTK", "algo": "SHA1", "digits": 5, "period": 30}},
	{"type": "yandex", "uuid": "c1b7d0a2-6a4e-4d36-8d3c-0fb1a4f1d222", "name": "ivan", "issuer": "Yandex", "icon": nil,
		"info": map[string]any{"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA256", "digits": 8, "period": 30, "pin": "1234"}},
}

func aegisTestContent(t *testing.T) []byte {
	b, err := json.Marshal(map[string]any{"version": 2, "entries": aegisEntries, "groups": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func aegisPlain(t *testing.T) []byte {
	return mustJSON(t, map[string]any{"version": 1,
		"header": map[string]any{"slots": nil, "params": nil},
		"db":     json.RawMessage(aegisTestContent(t))})
}

func aegisEncrypted(t *testing.T, password string) []byte {
	return aegisVault(t, aegisSlotSpec{typ: 1, password: password})
}

// aegisSlotSpec is one slot of a test vault: a password slot (type 1) derives its key with
// scrypt from password; a raw (0) or biometric (2) slot seals the master key with a random
// key, as the phone's key store holds it, and has no scrypt fields.
type aegisSlotSpec struct {
	typ      int
	password string
}

// aegisVault writes an encrypted Aegis vault of the test entries with the given slots.
func aegisVault(t *testing.T, specs ...aegisSlotSpec) []byte {
	master := random(t, 32)
	var slots []any
	for _, sp := range specs {
		slotNonce := random(t, 12)
		slot := map[string]any{"type": sp.typ, "uuid": "a8325752-c1be-458a-9b3e-5e0a8154d9ec"}
		wrapKey := random(t, 32)
		if sp.typ == 1 {
			salt := random(t, 32)
			const n, r, p = 1 << 15, 8, 1
			var err error
			if wrapKey, err = scrypt.Key([]byte(sp.password), salt, n, r, p, 32); err != nil {
				t.Fatal(err)
			}
			slot["n"], slot["r"], slot["p"], slot["salt"] = n, r, p, hex.EncodeToString(salt)
			slot["repaired"], slot["is_backup"] = true, len(slots) > 0
		}
		slotKey, slotTag := sealGCM(t, wrapKey, slotNonce, master)
		slot["key"] = hex.EncodeToString(slotKey)
		slot["key_params"] = map[string]any{"nonce": hex.EncodeToString(slotNonce), "tag": hex.EncodeToString(slotTag)}
		slots = append(slots, slot)
	}
	dbNonce := random(t, 12)
	db, dbTag := sealGCM(t, master, dbNonce, aegisTestContent(t))
	return mustJSON(t, map[string]any{"version": 1,
		"header": map[string]any{
			"slots":  slots,
			"params": map[string]any{"nonce": hex.EncodeToString(dbNonce), "tag": hex.EncodeToString(dbTag)},
		},
		"db": base64.StdEncoding.EncodeToString(db)})
}

var twoFASServices = []map[string]any{
	{"name": "GitHub", "secret": "JBSWY3DPEHPK3PXP", "updatedAt": 1713397547000,
		"otp":   map[string]any{"label": "GitHub:bob@example.com", "account": "bob@example.com", "issuer": "GitHub", "digits": 6, "period": 30, "algorithm": "SHA1", "tokenType": "TOTP", "source": "Link", "counter": 0},
		"order": map[string]any{"position": 0}, "icon": map[string]any{"selected": "Label"}},
	{"name": "Steam", "secret": "63BEDWCQZKTQWPESARIERL5DTTQFCJTK", "updatedAt": 1713397547000,
		"otp":   map[string]any{"account": "gabe", "digits": 5, "period": 30, "algorithm": nil, "tokenType": "STEAM", "source": "Manual"},
		"order": map[string]any{"position": 1}},
}

func twoFASFileOf(t *testing.T, services []map[string]any, encrypted string) []byte {
	f := map[string]any{"services": services, "groups": []any{}, "updatedAt": 1713397547000, "schemaVersion": 4,
		"appVersionCode": 5000012, "appVersionName": "5.3.1", "appOrigin": "android"}
	if encrypted != "" {
		f["servicesEncrypted"] = encrypted
	}
	return mustJSON(t, f)
}

func twoFASSeal(t *testing.T, key, salt, plain []byte) string {
	iv := random(t, 12)
	ct, tag := sealGCM(t, key, iv, plain)
	enc := base64.StdEncoding.EncodeToString
	return enc(append(ct, tag...)) + ":" + enc(salt) + ":" + enc(iv)
}

func twoFASEncrypted(t *testing.T, password string) []byte {
	salt := random(t, 256)
	key, err := pbkdf2.Key(sha256.New, password, salt, 10000, 32)
	if err != nil {
		t.Fatal(err)
	}
	f := map[string]any{}
	json.Unmarshal(twoFASFileOf(t, []map[string]any{}, twoFASSeal(t, key, salt, mustJSON(t, twoFASServices))), &f)
	// 2FAS also seals a known text to check the password when it imports.
	f["reference"] = twoFASSeal(t, key, salt, []byte("tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd"))
	return mustJSON(t, f)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
