package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"billhound/server"
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
	rows, err := a.store.Invoices(portalID)
	if err != nil {
		return err
	}
	if *asJSON { // the API's shape (GET /api/invoices), so one parser reads both
		out := make([]server.InvoiceView, 0, len(rows))
		for i := range rows {
			out = append(out, server.ViewInvoice(&rows[i]))
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "no invoices archived yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORTAL\tNUMBER\tDATE\tAMOUNT\tFILE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\n", r.PortalName, orDash(r.Number), orDash(r.Date), r.Amount, r.Currency, a.archive.Path(r.Path))
	}
	return tw.Flush()
}
