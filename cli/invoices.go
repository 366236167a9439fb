package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
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
	if *asJSON {
		type item struct {
			Portal   string `json:"portal"`
			Number   string `json:"number"`
			Date     string `json:"date"`
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
			Path     string `json:"path"`
			Size     int64  `json:"size"`
			SHA256   string `json:"sha256"`
		}
		out := make([]item, 0, len(rows))
		for _, r := range rows {
			out = append(out, item{r.PortalName, r.Number, r.Date, r.Amount, r.Currency, a.archive.Path(r.Path), r.Size, r.SHA256})
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
