package exports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"billhound/store"
)

// TargetView is a target as the API shows it: its secret only as "set".
type TargetView struct {
	ID       int64  `json:"id"`
	PortalID *int64 `json:"portalId"` // null: every portal
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Enabled  bool   `json:"enabled"`
	Config
	SecretSet bool      `json:"secretSet"`
	CreatedAt time.Time `json:"createdAt"`
}

// ViewOf shows a stored target.
func ViewOf(t *store.ExportTarget) TargetView {
	c, _ := ConfigOf(t)
	return TargetView{ID: t.ID, PortalID: t.PortalID, Name: t.Name, Kind: t.Kind, Enabled: t.Enabled,
		Config: c, SecretSet: len(t.SecretSealed) > 0, CreatedAt: t.CreatedAt}
}

// TargetInput is a new target or a change. Secret nil keeps the stored one, "" removes it.
type TargetInput struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	PortalID *int64  `json:"portalId"`
	Enabled  *bool   `json:"enabled"`
	Secret   *string `json:"secret"`
	Config
}

// SaveTarget creates (id 0) or changes a target after checking it, sealing its secret.
func (s *Service) SaveTarget(id int64, in TargetInput) (*store.ExportTarget, error) {
	t := &store.ExportTarget{Enabled: true}
	if id != 0 {
		old, err := s.Store.ExportTarget(id)
		if err != nil {
			return nil, err
		}
		t = old
		if in.Kind == "" {
			in.Kind = t.Kind
		}
		if in.Kind != t.Kind {
			return nil, inputErr("the kind of a target cannot change; add a new target instead")
		}
	}
	secretSet := len(t.SecretSealed) > 0
	if in.Secret != nil {
		secretSet = *in.Secret != ""
	}
	if err := Check(in.Name, in.Kind, &in.Config, secretSet); err != nil {
		return nil, err
	}
	if in.PortalID != nil {
		if _, err := s.Store.Portal(*in.PortalID); err != nil {
			return nil, inputErr("there is no portal %d; pick a portal or leave it empty for every portal", *in.PortalID)
		}
	}
	t.Name, t.Kind, t.PortalID, t.Config = in.Name, in.Kind, in.PortalID, in.Config.Encode()
	if in.Enabled != nil {
		t.Enabled = *in.Enabled
	}
	if id == 0 {
		now := time.Now().UTC()
		t.CreatedAt, t.UpdatedAt = now, now
		if err := s.Store.CreateExportTarget(t); err != nil {
			return nil, nameTaken(err, in.Name)
		}
	} else if err := s.Store.SaveExportTarget(t); err != nil {
		return nil, nameTaken(err, in.Name)
	}
	if in.Secret != nil { // sealed once the id it is bound to is known
		sealed, err := s.Vault.SealExportSecret(t.ID, *in.Secret)
		if err != nil {
			return nil, err
		}
		if err := s.Store.SetExportSecret(t.ID, sealed); err != nil {
			return nil, err
		}
		t.SecretSealed = sealed
	}
	return t, nil
}

func nameTaken(err error, name string) error {
	if errors.Is(err, store.ErrConflict) {
		return inputErr("there is already a target named %q; choose another name", name)
	}
	return err
}

// Test sends a small test file to a target and says where it went.
func (s *Service) Test(ctx context.Context, id int64) (string, error) {
	t, err := s.Store.ExportTarget(id)
	if err != nil {
		return "", err
	}
	now := s.now()
	data := []byte("This is a test file from billhound. Invoices exported to this target arrive like this one.\n")
	f := file{meta: Meta{ID: 0, Portal: "billhound-test", Number: "test", Date: now.Format("2006-01-02"),
		Title: "billhound export test", FileName: "test.txt", Archived: now},
		data: data, contentType: "text/plain; charset=utf-8", key: fmt.Sprintf("billhound-test-%d-%d", id, now.UnixNano()), test: true}
	f.sha256 = sum(data)
	return s.send(ctx, t, f)
}

// Retry sends an invoice's exports again: every one not sent yet (failed, or given up), and
// with targetID also that target's even when it was sent (an explicit re-send). Targets added
// since the invoice was archived get theirs too. It returns the exports queued.
func (s *Service) Retry(ctx context.Context, invoiceID, targetID int64) ([]int64, error) {
	inv, err := s.Store.InvoiceByID(invoiceID)
	if err != nil {
		return nil, err
	}
	fresh, err := s.add(inv)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.ExportsOf(invoiceID)
	if err != nil {
		return nil, err
	}
	var again []int64
	for _, r := range rows {
		if (targetID == 0 && r.Status != store.ExportSent) || r.TargetID == targetID {
			if !contains(fresh, r.ID) {
				again = append(again, r.ID)
			}
		}
	}
	again, err = s.Store.ResendExports(again, s.now())
	if err != nil {
		return nil, err
	}
	ids := append(fresh, again...)
	s.enqueue(ctx, ids)
	return ids, nil
}

// ResendSince makes the exports of every invoice dated since day (YYYY-MM-DD) pending again,
// to one target (by name) or every enabled one, and returns them: `billhound export --since`.
func (s *Service) ResendSince(day, targetName string) ([]int64, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, inputErr("give the date as YYYY-MM-DD, like 2025-01-01")
	}
	var only *store.ExportTarget
	if targetName != "" {
		t, err := s.Store.ExportTargetByName(targetName)
		if errors.Is(err, store.ErrNotFound) {
			return nil, inputErr("there is no export target named %q; see them under Settings → Exports", targetName)
		}
		if err != nil {
			return nil, err
		}
		only = t
	}
	invs, err := s.Store.InvoicesSince(day, 0)
	if err != nil {
		return nil, err
	}
	var out []int64
	for i := range invs {
		ids, err := s.resendInvoice(&invs[i], only)
		if err != nil {
			return out, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

func (s *Service) resendInvoice(inv *store.Invoice, only *store.ExportTarget) ([]int64, error) {
	var tids []int64
	if only != nil {
		if only.PortalID != nil && *only.PortalID != inv.PortalID {
			return nil, nil
		}
		tids = []int64{only.ID}
	} else {
		ts, err := s.Store.ExportTargetsFor(inv.PortalID)
		if err != nil || len(ts) == 0 {
			return nil, err
		}
		for _, t := range ts {
			tids = append(tids, t.ID)
		}
	}
	fresh, err := s.Store.AddExports(inv.ID, tids, s.now())
	if err != nil {
		return nil, err
	}
	all, err := s.Store.ExportIDs(inv.ID, tids)
	if err != nil {
		return nil, err
	}
	var old []int64
	for _, id := range all {
		if !contains(fresh, id) {
			old = append(old, id)
		}
	}
	again, err := s.Store.ResendExports(old, s.now())
	return append(fresh, again...), err
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
