package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/qrscan"
	"billhound/twofa"
)

const maxUploadText = "25 MB" // maxImage in frontdoor.go

// totpBody is the JSON form of PUT /api/portals/:id/totp.
type totpBody struct {
	Secret    string `json:"secret"`
	URI       string `json:"uri"`
	Digits    int    `json:"digits"`
	Period    int    `json:"period"`
	Algorithm string `json:"algorithm"`
}

// putTOTP sets a portal's TOTP key from a QR image (multipart), a typed key or an otpauth URI.
func (s *Server) putTOTP(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	var key twofa.Key
	var source string
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		key, err = keyFromUpload(c)
		source = "qr"
	} else {
		key, source, err = keyFromJSON(c)
	}
	if err != nil {
		return err
	}
	if err := checkText("the 2FA key's issuer", key.Issuer, maxLabel); err != nil {
		return err
	}
	if err := checkText("the 2FA key's account name", key.Account, maxLabel); err != nil {
		return err
	}
	if err := s.deps.Vault.SetTOTP(p.ID, key, source); err != nil {
		return err
	}
	s.deps.Logger.Info("2FA secret set", "portal", p.ID, "source", source, "issuer", key.Issuer)
	if p, err = s.deps.Store.Portal(p.ID); err != nil {
		return err
	}
	code, _, err := s.deps.Vault.ShowCode(p, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"twofa": viewTwoFA(p), "code": code})
}

func keyFromUpload(c echo.Context) (twofa.Key, error) {
	fh, err := c.FormFile("image")
	if err != nil {
		return twofa.Key{}, errBadRequest("attach the QR code image as the form field \"image\"")
	}
	f, err := fh.Open()
	if err != nil {
		return twofa.Key{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return twofa.Key{}, err
	}
	if len(data) == 0 {
		return twofa.Key{}, errBadRequest("the uploaded file is empty")
	}
	keys, err := twofa.KeysFromImage(data, qrscan.DecodeOptions{})
	if err != nil {
		return twofa.Key{}, err
	}
	if len(keys) == 1 {
		return keys[0], nil
	}
	// An authenticator app's export holds several accounts: the user picks one.
	if idx := c.FormValue("index"); idx != "" {
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= len(keys) {
			return twofa.Key{}, errBadRequest("index must be between 0 and " + strconv.Itoa(len(keys)-1))
		}
		return keys[i], nil
	}
	type candidate struct {
		Index   int    `json:"index"`
		Issuer  string `json:"issuer"`
		Account string `json:"account"`
	}
	cands := make([]candidate, len(keys))
	for i, k := range keys {
		cands[i] = candidate{i, k.Issuer, k.Account}
	}
	return twofa.Key{}, &apiError{
		Status:  http.StatusConflict,
		Message: "the image holds " + strconv.Itoa(len(keys)) + " accounts; choose one",
		Extra:   map[string]any{"candidates": cands},
	}
}

func keyFromJSON(c echo.Context) (twofa.Key, string, error) {
	var b totpBody
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil {
		return twofa.Key{}, "", errBadRequest("send a QR image (multipart field \"image\"), or JSON {\"secret\": ...} or {\"uri\": ...}")
	}
	switch {
	case strings.TrimSpace(b.URI) != "":
		k, err := twofa.ParseURI(strings.TrimSpace(b.URI))
		return k, "uri", err
	case strings.TrimSpace(b.Secret) != "":
		k, err := twofa.ParseSecret(b.Secret)
		if err != nil {
			return k, "", err
		}
		if b.Digits != 0 {
			k.Digits = b.Digits
		}
		if b.Period != 0 {
			k.Period = b.Period
		}
		if b.Algorithm != "" {
			k.Algorithm = strings.ToUpper(b.Algorithm)
		}
		// Reparse through the URI so the same validation applies to the advanced options.
		k, err = twofa.ParseURI(k.URI())
		return k, "key", err
	}
	return twofa.Key{}, "", errBadRequest("type the security key or paste the otpauth:// URI")
}

func (s *Server) getTOTPCode(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	code, ok, err := s.deps.Vault.ShowCode(p, time.Now())
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound("this portal has no 2FA secret")
	}
	return c.JSON(http.StatusOK, code)
}

func (s *Server) deleteTOTP(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Store.ClearTOTP(p.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// confirmTOTP records the user's word that the portal accepted a code from the stored secret
// (typed in by hand during the portal's set-up), for a portal billhound has not run yet.
func (s *Server) confirmTOTP(c echo.Context) error {
	p, err := s.portalParam(c)
	if err != nil {
		return err
	}
	if !p.HasTOTP() {
		return errConflict("this portal has no 2FA secret to confirm; set one up first")
	}
	if _, err := s.deps.Store.ConfirmTOTP(p.ID, 0, p.TOTPSealed, time.Now()); err != nil {
		return err
	}
	if p, err = s.deps.Store.Portal(p.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"twofa": viewTwoFA(p)})
}
