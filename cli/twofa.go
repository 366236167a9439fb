package cli

import (
	"fmt"
	"os"
	"time"

	"billhound/qrscan"
	"billhound/twofa"
)

func runQR(env *Env, args []string) error {
	if len(args) < 2 || args[0] != "decode" {
		return usageError("usage: billhound qr decode IMAGE...")
	}
	found := 0
	var firstErr error
	for _, path := range args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", path, err)
			firstErr = err
			continue
		}
		keys, err := twofa.KeysFromImage(data, qrscan.DecodeOptions{})
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", path, err)
			firstErr = err
			continue
		}
		for _, k := range keys {
			fmt.Fprintln(env.Stdout, k.URI())
			found++
		}
	}
	if found == 0 {
		if len(args) > 2 || firstErr == nil {
			return fail("no 2FA QR code found")
		}
		return &exitError{code: 1} // the reason was printed per file
	}
	return nil
}

func runTOTP(env *Env, args []string) error {
	fs := flags(env, "totp")
	uri := fs.String("uri", "", "otpauth:// URI")
	secret := fs.String("secret", "", "base32 security key (spaces and lower case allowed)")
	qr := fs.String("qr", "", "image of the QR code")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	var k twofa.Key
	var err error
	switch {
	case *uri != "" && *secret == "" && *qr == "":
		k, err = twofa.ParseURI(*uri)
	case *secret != "" && *uri == "" && *qr == "":
		k, err = twofa.ParseSecret(*secret)
	case *qr != "" && *uri == "" && *secret == "":
		k, err = keyFromImageFile(*qr)
	default:
		return usageError("give exactly one of --uri, --secret or --qr")
	}
	if err != nil {
		return fail("%v", err)
	}
	code, err := k.Code(time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, code)
	return nil
}

// keyFromImageFile reads the one 2FA key in an image; several are an error naming them.
func keyFromImageFile(path string) (twofa.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return twofa.Key{}, err
	}
	keys, err := twofa.KeysFromImage(data, qrscan.DecodeOptions{})
	if err != nil {
		return twofa.Key{}, err
	}
	if len(keys) > 1 {
		msg := fmt.Sprintf("%s holds %d accounts; decode it with `billhound qr decode` and pass one with --uri:", path, len(keys))
		for _, k := range keys {
			msg += fmt.Sprintf("\n  %s (%s)", k.Account, k.Issuer)
		}
		return twofa.Key{}, fmt.Errorf("%s", msg)
	}
	return keys[0], nil
}
