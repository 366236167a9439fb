// billhound fetches invoices from online portals on the user's own machine: portal scripts
// drive Chromium, answer two-factor prompts with stored TOTP secrets, and file every invoice
// into a local archive. See README.md.
package main

import (
	"os"

	"billhound/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.DefaultEnv(webUI())))
}
