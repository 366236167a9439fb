package exports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"billhound/archive"
	"billhound/notify"
)

// sendFolder writes f under the target folder by the name template, atomically (a temporary
// file in the same folder, renamed): a consume folder never sees half a PDF. The same name
// again replaces the file, so a retry leaves one file, never two.
func sendFolder(c Config, f file) (string, error) {
	rel, err := Render(c.Template, f.meta)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(c.Path)
	if err != nil || !info.IsDir() {
		return "", fmt.Errorf("the folder %s does not exist on the billhound server; create it (writable by billhound) or fix the path", c.Path)
	}
	dst := filepath.Join(c.Path, filepath.FromSlash(rel))
	if r, err := filepath.Rel(c.Path, dst); err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return "", &permanentError{fmt.Sprintf("the file name %q would leave the folder %s", rel, c.Path)}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", fmt.Errorf("cannot make the folder %s (%v); check that billhound may write there", filepath.Dir(dst), err)
	}
	if err := archive.WriteFile(dst, f.data, 0o640); err != nil {
		if errors.Is(err, archive.ErrDiskFull) {
			return "", fmt.Errorf("the disk of %s is full; free some space", c.Path)
		}
		return "", fmt.Errorf("cannot write %s (%v); check that billhound may write there", dst, err)
	}
	return rel, nil
}

// sendEmail mails f as an attachment over the notifications' SMTP server.
func (s *Service) sendEmail(ctx context.Context, c Config, f file) (string, error) {
	if s.Mail == nil {
		return "", errors.New("e-mail is not available in this process")
	}
	m := f.meta
	name, err := Render("{portal}_{date}_{number}.{ext}", m)
	if err != nil {
		return "", err
	}
	subject := fmt.Sprintf("Invoice %s from %s (%s)", m.Number, m.Portal, m.Date)
	body := fmt.Sprintf("billhound archived this invoice from %s.\n\nNumber: %s\nDate: %s\n", m.Portal, m.Number, m.Date)
	if m.Amount != "" {
		body += fmt.Sprintf("Amount: %s %s\n", m.Amount, m.Currency)
	}
	if m.Title != "" {
		body += "Title: " + m.Title + "\n"
	}
	if f.test {
		subject = "billhound export test"
		body = "This is a test of a billhound export target. Invoices will arrive like this, attached."
	}
	err = s.Mail.SendMail(ctx, notify.Mail{To: c.To, Subject: subject, Body: body, FileName: name,
		ContentType: f.contentType, Data: f.data})
	if err != nil {
		return "", err
	}
	return c.To, nil
}
