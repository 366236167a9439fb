package demoportal

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Invoice is one row of the invoice page.
type Invoice struct {
	Number string    // "INV-2026-0347": the portal's invoice id
	Date   time.Time // the issue date, midnight UTC
	Amount string    // as shown: "1.234,56 €"
	Cents  int64     // the same amount in euro cents
}

// invoiceMonths of history: one invoice on the 1st of every month. Thirteen months always
// reach into the previous calendar year, so the archive's year folders get exercised whatever
// the date.
const invoiceMonths = 13

// invoicesFor derives an account's invoices from its username and the current month, newest
// first. No state: the same account sees the same numbers and amounts on every run and in
// every process, and a new invoice appears when a month begins, as on a real portal.
func invoicesFor(username string, now time.Time) []Invoice {
	return invoicesOver(username, now, invoiceMonths)
}

// invoicesOver is invoicesFor over a given number of months.
func invoicesOver(username string, now time.Time, months int) []Invoice {
	y, m, _ := now.UTC().Date()
	// Numbers run up by one a month from an account's own starting point, so they grow with
	// the date, never repeat across years and differ between accounts.
	base := 100 + int(hash(username)%4000)
	out := make([]Invoice, 0, months)
	for i := range months {
		d := time.Date(y, m-time.Month(i), 1, 0, 0, 0, 0, time.UTC)
		cents := invoiceCents(username, d)
		out = append(out, Invoice{
			Number: fmt.Sprintf("INV-%d-%04d", d.Year(), base+(d.Year()-2020)*12+int(d.Month())),
			Date:   d,
			Amount: formatEUR(cents),
			Cents:  cents,
		})
	}
	return out
}

// invoiceCents picks a stable amount for the account's invoice of month d. The month decides the
// size class, so every account has small ("19,99 €"), medium and four-digit ("1.234,56 €")
// amounts within any 13 months.
func invoiceCents(username string, d time.Time) int64 {
	h := int64(hash(username+"|"+d.Format("2006-01")) % 1_000_000)
	switch d.Month() % 4 {
	case 0: // Apr, Aug, Dec: yearly add-ons billed with the month
		return 100_000 + h%200_000 // 1.000,00 – 2.999,99 €
	case 1: // Jan, May, Sep: a quiet month
		return 999 + h%9_000 // 9,99 – 99,98 €
	default:
		return 10_000 + h%40_000 // 100,00 – 499,99 €
	}
}

func hash(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

// formatEUR writes cents the German way: "1.234,56 €".
func formatEUR(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	euros := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range euros {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s,%02d €", sign, b.String(), cents%100)
}

// description is the invoice's single line item: the services of the month before its date.
func description(inv Invoice) string {
	prev := inv.Date.AddDate(0, -1, 0)
	return fmt.Sprintf("Cloud services, %s %d", prev.Month(), prev.Year())
}

// invoiceRow is an invoice as the templates show it.
type invoiceRow struct {
	Number, Date, Amount, Description, PDF string
}

func rows(invs []Invoice) []invoiceRow { return rowsUnder("", invs) }

// rowsUnder links the PDFs under base ("/zoo/history" for a zoo shape).
func rowsUnder(base string, invs []Invoice) []invoiceRow {
	out := make([]invoiceRow, len(invs))
	for i, inv := range invs {
		out[i] = invoiceRow{
			Number:      inv.Number,
			Date:        inv.Date.Format("02.01.2006"),
			Amount:      inv.Amount,
			Description: description(inv),
			PDF:         base + "/invoices/" + inv.Number + ".pdf",
		}
	}
	return out
}

func (p *Portal) handleInvoices(w http.ResponseWriter, r *http.Request) {
	user, ok := p.signedIn(r)
	if !ok {
		redirectToLogin(w, r)
		return
	}
	p.render(w, http.StatusOK, "invoices", view{
		Title: "Invoices", User: user, Nav: "invoices",
		Invoices: rows(invoicesFor(user, p.now())),
	})
}

func (p *Portal) handlePDF(w http.ResponseWriter, r *http.Request) {
	// Signed-out first, as a real portal never reveals which invoice numbers exist.
	user, ok := p.signedIn(r)
	if !ok {
		redirectToLogin(w, r)
		return
	}
	number, isPDF := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if !isPDF {
		number = ""
	}
	p.servePDF(w, r, p.name, user, invoicesFor(user, p.now()), number)
}

// servePDF sends the invoice called number as an attachment, or the not-found page.
func (p *Portal) servePDF(w http.ResponseWriter, r *http.Request, brand, user string, invs []Invoice, number string) {
	var inv *Invoice
	for _, i := range invs {
		if number != "" && i.Number == number {
			inv = &i
			break
		}
	}
	if inv == nil {
		p.render(w, http.StatusNotFound, "notfound", view{Title: "Page not found", User: user})
		return
	}
	data := invoicePDF(brand, user, *inv)
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="invoice-`+inv.Number+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
}
