package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/twofa"
	"billhound/twofa/importers"
)

// An import is read once and kept here, in memory, for importTTL under a random reference:
// the user then picks which account goes to which portal. The secrets never leave the server;
// the list the browser gets names the accounts only.
const (
	importTTL       = 10 * time.Minute
	maxImportsKept  = 16 // a user imports one file at a time; this only bounds memory
	maxImportPassLn = 1024
)

type pendingImport struct {
	format  string
	keys    []twofa.Key
	expires time.Time
}

type importCache struct {
	mu      sync.Mutex
	pending map[string]*pendingImport
}

func newImportCache() *importCache { return &importCache{pending: map[string]*pendingImport{}} }

// put keeps an import and returns its reference; the oldest goes when the cache is full.
func (c *importCache) put(p *pendingImport, now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if len(c.pending) >= maxImportsKept {
		oldest := ""
		for ref, q := range c.pending {
			if oldest == "" || q.expires.Before(c.pending[oldest].expires) {
				oldest = ref
			}
		}
		delete(c.pending, oldest)
	}
	b := make([]byte, 16)
	rand.Read(b)
	ref := hex.EncodeToString(b)
	c.pending[ref] = p
	return ref
}

func (c *importCache) get(ref string, now time.Time) *pendingImport {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	return c.pending[ref]
}

func (c *importCache) expire(now time.Time) {
	for ref, p := range c.pending {
		if now.After(p.expires) {
			delete(c.pending, ref)
		}
	}
}

var importRef = regexp.MustCompile(`^[0-9a-f]{32}$`)

// importedAccount is one account of an import as the API shows it: never the secret.
type importedAccount struct {
	Index     int    `json:"index"`
	Issuer    string `json:"issuer"`
	Account   string `json:"account"`
	Type      string `json:"type"` // totp, hotp or steam
	Algorithm string `json:"algorithm"`
	Digits    int    `json:"digits"`
	Period    int    `json:"period,omitempty"`
}

// postImport reads an authenticator app's export (multipart: file, and password for an
// encrypted one) and lists its accounts.
func (s *Server) postImport(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return errBadRequest("attach the authenticator app's export as the form field \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, importers.MaxSize+1))
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	if len(password) > maxImportPassLn {
		return errBadRequest("the password is longer than " + strconv.Itoa(maxImportPassLn) + " characters")
	}
	res, err := importers.Parse(data, password)
	if err != nil {
		if errors.Is(err, importers.ErrNeedPassword) || errors.Is(err, importers.ErrWrongPassword) {
			return &apiError{Status: http.StatusBadRequest, Message: err.Error(), Extra: map[string]any{"needPassword": true}}
		}
		return err
	}
	now := time.Now()
	p := &pendingImport{format: res.Format, keys: res.Keys, expires: now.Add(importTTL)}
	ref := s.imports.put(p, now)
	accounts := make([]importedAccount, len(res.Keys))
	for i, k := range res.Keys {
		a := importedAccount{Index: i, Issuer: k.Issuer, Account: k.Account, Type: k.Kind(), Algorithm: k.Algorithm, Digits: k.Digits}
		if k.TimeBased() {
			a.Period = k.Period
		}
		accounts[i] = a
	}
	skipped := res.Skipped
	if skipped == nil {
		skipped = []string{}
	}
	s.deps.Logger.Info("authenticator export read", "format", res.Format, "accounts", len(res.Keys), "skipped", len(skipped))
	return c.JSON(http.StatusOK, map[string]any{
		"id": ref, "format": res.Format, "expiresAt": p.expires, "accounts": accounts, "skipped": skipped,
	})
}

type assignBody struct {
	Assignments []struct {
		Account *int   `json:"account"`
		Portal  *int64 `json:"portal"`
	} `json:"assignments"`
}

// postImportAssign seals the chosen accounts' secrets into their portals. Everything is
// checked before anything is stored.
func (s *Server) postImportAssign(c echo.Context) error {
	ref := c.Param("ref")
	if !importRef.MatchString(ref) {
		return errBadRequest("the import id is not valid; upload the export again")
	}
	p := s.imports.get(ref, time.Now())
	if p == nil {
		return errNotFound("this import has expired (imports are kept for 10 minutes); upload the export again")
	}
	var body assignBody
	if err := c.Bind(&body); err != nil || len(body.Assignments) == 0 {
		return errBadRequest(`send {"assignments": [{"account": 0, "portal": 42}]}`)
	}
	type pick struct {
		key    twofa.Key
		portal int64
		name   string
	}
	var picks []pick
	seen := map[int64]bool{}
	for _, a := range body.Assignments {
		if a.Account == nil || a.Portal == nil {
			return errBadRequest(`each assignment needs "account" (its index in the list) and "portal" (a portal id)`)
		}
		if *a.Account < 0 || *a.Account >= len(p.keys) {
			return errBadRequest("account must be between 0 and " + strconv.Itoa(len(p.keys)-1))
		}
		if seen[*a.Portal] {
			return errBadRequest("a portal can take only one account; choose one for each portal")
		}
		seen[*a.Portal] = true
		portal, err := s.deps.Store.Portal(*a.Portal)
		if err != nil {
			return errNotFound("no portal with id " + strconv.FormatInt(*a.Portal, 10))
		}
		k := p.keys[*a.Account]
		if err := checkText("the 2FA key's issuer", k.Issuer, maxLabel); err != nil {
			return err
		}
		if err := checkText("the 2FA key's account name", k.Account, maxLabel); err != nil {
			return err
		}
		picks = append(picks, pick{k, portal.ID, portal.Name})
	}
	type assigned struct {
		Account int    `json:"account"`
		Portal  int64  `json:"portal"`
		Name    string `json:"portalName"`
	}
	out := make([]assigned, 0, len(picks))
	for i, pk := range picks {
		if err := s.deps.Vault.SetTOTP(pk.portal, pk.key, "import"); err != nil {
			return err
		}
		s.deps.Logger.Info("2FA secret set", "portal", pk.portal, "source", "import", "format", p.format, "issuer", pk.key.Issuer)
		out = append(out, assigned{*body.Assignments[i].Account, pk.portal, pk.name})
	}
	return c.JSON(http.StatusOK, map[string]any{"assigned": out})
}
