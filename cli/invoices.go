package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"billhound/server"
	"billhound/store"
)

func runInvoices(env *Env, args []string) error {
	fs := flags(env, "invoices")
	portal := fs.String("portal", "", "only this portal (name or id)")
	asJSON := fs.Bool("json", false, "print JSON")
	a, err := openFor(env, fs, args, "warn")
	if err != nil {
		return err
	}
	defer a.close()
	var portalID int64
	if *portal != "" {
		p, err := a.findPortal(*portal)
		if err != nil {
			return fail("%v", err)
		}
		portalID = p.ID
	}
	f := store.InvoiceFilter{PortalID: portalID}
	if *asJSON {
		return printInvoicesJSON(env.Stdout, a.store, f)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	n := 0
	err = eachInvoicePage(a.store, f, func(page store.InvoicePage) error {
		for _, r := range page.Rows {
			if n == 0 {
				fmt.Fprintln(tw, "PORTAL\tNUMBER\tDATE\tAMOUNT\tFILE")
			}
			n++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\n", r.PortalName, orDash(r.Number), orDash(r.Date), r.Amount, r.Currency, a.archive.Path(r.Path))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(env.Stdout, "no invoices archived yet")
		return nil
	}
	return tw.Flush()
}

// eachInvoicePage walks the whole listing a page at a time, as the API pages it.
func eachInvoicePage(st *store.Store, f store.InvoiceFilter, fn func(store.InvoicePage) error) error {
	var after *store.InvoiceCursor
	for {
		page, err := st.ListInvoices(f, after, 500)
		if err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if page.Next == nil {
			return nil
		}
		after = page.Next
	}
}

// printInvoicesJSON prints the API's shape (GET /api/invoices) with every invoice on one page:
// {"items": [...all...], "next": "", "total": N}, so `jq '.items[]'` reads both and a script
// never misses invoices past the first page. Items are written as they are read.
func printInvoicesJSON(w io.Writer, st *store.Store, f store.InvoiceFilter) error {
	bw := bufio.NewWriter(w)
	first, total := true, 0
	bw.WriteString("{\n  \"items\": [")
	err := eachInvoicePage(st, f, func(page store.InvoicePage) error {
		total = page.Total
		for i := range page.Rows {
			item, err := json.MarshalIndent(server.ViewInvoice(&page.Rows[i]), "    ", "  ")
			if err != nil {
				return err
			}
			if !first {
				bw.WriteString(",")
			}
			first = false
			bw.WriteString("\n    ")
			bw.Write(item)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !first {
		bw.WriteString("\n  ")
	}
	fmt.Fprintf(bw, "],\n  \"next\": \"\",\n  \"total\": %d\n}\n", total)
	return bw.Flush()
}
