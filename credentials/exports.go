package credentials

import "fmt"

// ExportSecretPurpose binds an export target's secret (a WebDAV password or a webhook's
// signing secret) to the target: a sealed value copied to another row does not open.
func ExportSecretPurpose(targetID int64) string {
	return fmt.Sprintf("export_target/%d/secret", targetID)
}

// SealExportSecret seals an export target's secret.
func (v *Vault) SealExportSecret(targetID int64, secret string) ([]byte, error) {
	if secret == "" {
		return nil, nil
	}
	return v.Box.Seal(ExportSecretPurpose(targetID), []byte(secret))
}

// ExportSecret opens an export target's secret ("" when none is set).
func (v *Vault) ExportSecret(targetID int64, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	plain, err := v.Box.Open(ExportSecretPurpose(targetID), sealed)
	if err != nil {
		return "", fmt.Errorf("open the export target's secret: %w", err)
	}
	return string(plain), nil
}
