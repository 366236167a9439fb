package server

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

const maxZipInvoices = 1000

// TotalView is one row of GET /api/invoices/totals.
type TotalView struct {
	Month      string `json:"month"` // YYYY-MM; "" for invoices without a date
	PortalID   int64  `json:"portalId"`
	PortalName string `json:"portalName"`
	Currency   string `json:"currency"`
	Amount     string `json:"amount"` // decimal with a dot, e.g. "123.45"
	Count      int    `json:"count"`
}

func (s *Server) invoiceTotals(c echo.Context) error {
	f, err := invoiceFilter(c)
	if err != nil {
		return err
	}
	rows, err := s.deps.Store.MonthTotals(f)
	if err != nil {
		return err
	}
	out := make([]TotalView, 0, len(rows))
	for _, r := range rows {
		out = append(out, TotalView{r.Month, r.PortalID, r.PortalName, r.Currency, centsText(r.Cents), r.Count})
	}
	return c.JSON(http.StatusOK, map[string]any{"rows": out})
}

func centsText(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// zipInvoices streams the chosen invoices' files as one zip, <portal name>/<file name> each.
// Every id and file is checked before the first byte goes out: once streaming, an error can no
// longer become a status.
func (s *Server) zipInvoices(c echo.Context) error {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := c.Bind(&body); err != nil || len(body.IDs) == 0 {
		return errBadRequest(`expected JSON {"ids": [1, 2, 3]} with the invoices to download`)
	}
	if len(body.IDs) > maxZipInvoices {
		return errBadRequest("at most " + strconv.Itoa(maxZipInvoices) + " invoices fit in one download: choose fewer")
	}
	rows, err := s.deps.Store.InvoicesByID(uniqueIDs(body.IDs))
	if err != nil {
		return err
	}
	if missing := missingIDs(body.IDs, rows); len(missing) > 0 {
		return errBadRequest("no invoice with id " + strings.Join(missing, ", ") + ": reload the archive and choose again")
	}
	for _, r := range rows {
		if _, err := os.Stat(s.deps.Archive.Path(r.Path)); err != nil {
			return errNotFound("the archived file " + r.Path + " is missing from the data folder")
		}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="billhound-invoices.zip"`)
	c.Response().WriteHeader(http.StatusOK)
	zw := zip.NewWriter(c.Response())
	names := map[string]int{}
	for i := range rows {
		if err := s.addToZip(zw, &rows[i], names); err != nil {
			c.Logger().Errorf("zip of invoices: %v", err)
			return nil // the client sees a cut-off zip, which no unzip takes for whole
		}
	}
	return zw.Close()
}

func (s *Server) addToZip(zw *zip.Writer, r *store.InvoiceRow, names map[string]int) error {
	f, err := os.Open(s.deps.Archive.Path(r.Path))
	if err != nil {
		return err
	}
	defer f.Close()
	name := zipName(r.PortalName, r.FileName, names)
	// PDFs are compressed already: stored, not deflated again.
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: r.CreatedAt})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// zipName is <portal>/<file>, each part without path separators, made unique with " (2)".
func zipName(portal, file string, seen map[string]int) string {
	clean := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r < 0x20 {
				return '_'
			}
			return r
		}, s)
		if s == "" || s == "." || s == ".." {
			return "_"
		}
		return s
	}
	name := clean(portal) + "/" + clean(file)
	seen[name]++
	if n := seen[name]; n > 1 {
		ext := path.Ext(name)
		name = strings.TrimSuffix(name, ext) + " (" + strconv.Itoa(n) + ")" + ext
	}
	return name
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func missingIDs(ids []int64, rows []store.InvoiceRow) []string {
	found := make(map[int64]bool, len(rows))
	for _, r := range rows {
		found[r.ID] = true
	}
	var missing []string
	for _, id := range ids {
		if !found[id] && len(missing) < 10 {
			missing = append(missing, strconv.FormatInt(id, 10))
			found[id] = true
		}
	}
	return missing
}
