package server

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"billhound/store"
)

// InvoiceView is an invoice as the API (and `billhound invoices --json`) shows it.
type InvoiceView struct {
	ID          int64     `json:"id"`
	PortalID    int64     `json:"portalId"`
	PortalName  string    `json:"portalName"`
	Number      string    `json:"number"`
	Date        string    `json:"date"`
	Amount      string    `json:"amount"`
	Currency    string    `json:"currency"`
	Title       string    `json:"title"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"contentType"`
	FileName    string    `json:"fileName"`
	Path        string    `json:"path"` // where the file is, relative to the archive folder
	RunID       *int64    `json:"runId"`
	CreatedAt   time.Time `json:"createdAt"`
	URL         string    `json:"url"`
	Snippet     string    `json:"snippet,omitempty"` // with ?q=: the matched text, the match in «»
}

// ViewInvoice is the API's view of an archived invoice.
func ViewInvoice(r *store.InvoiceRow) InvoiceView {
	return InvoiceView{r.ID, r.PortalID, r.PortalName, r.Number, r.Date, r.Amount, r.Currency, r.Title, r.Size,
		r.SHA256, r.ContentType, r.FileName, r.Path, r.RunID, r.CreatedAt, "/api/invoices/" + strconv.FormatInt(r.ID, 10) + "/file", r.Snippet}
}

// InvoiceList is one page of GET /api/invoices.
type InvoiceList struct {
	Items []InvoiceView `json:"items"`
	Next  string        `json:"next"` // the cursor of the next page; "" on the last one
	Total int           `json:"total"`
}

func (s *Server) listInvoices(c echo.Context) error {
	f, err := invoiceFilter(c)
	if err != nil {
		return err
	}
	limit, err := pageLimit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	after, err := DecodeCursor(c.QueryParam("cursor"))
	if err != nil {
		return err
	}
	page, err := s.deps.Store.ListInvoices(f, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ViewPage(page))
}

// ViewPage is the API's view of a page of the archive.
func ViewPage(page store.InvoicePage) InvoiceList {
	out := InvoiceList{Items: make([]InvoiceView, 0, len(page.Rows)), Total: page.Total}
	for i := range page.Rows {
		out.Items = append(out.Items, ViewInvoice(&page.Rows[i]))
	}
	if page.Next != nil {
		out.Next = EncodeCursor(*page.Next)
	}
	return out
}

func (s *Server) getInvoice(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	inv, err := s.deps.Store.Invoice(id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("no invoice with id " + c.Param("id"))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ViewInvoice(inv))
}

func (s *Server) getInvoiceFile(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	inv, err := s.deps.Store.Invoice(id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("no invoice with id " + c.Param("id"))
	}
	if err != nil {
		return err
	}
	path := s.deps.Archive.Path(inv.Path)
	if _, err := os.Stat(path); err != nil {
		return errNotFound("the archived file " + inv.Path + " is missing from the data folder")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, inv.ContentType)
	h.Set("Content-Security-Policy", "sandbox")
	return c.Attachment(path, inv.FileName)
}
