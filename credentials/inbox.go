package credentials

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The secrets of the ways a run gets codes: the user's answers to ask(), the texts of the SMS
// inbox, the mailbox's password and the SMS inbox's token. Answers and texts hold one-time
// codes, so they are sealed while they wait in the store, like passwords.

func answerPurpose(runID int64) string { return fmt.Sprintf("run/%d/answer", runID) }

const (
	smsPurpose         = "sms/text"
	mailboxPurpose     = "settings/mailbox/password"
	settingMailbox     = "mailbox"
	settingMailboxPass = "mailbox.password"
	settingSMSToken    = "sms.token_sha256"
)

// SealAnswer seals the answer to a run's question until the run takes it.
func (v *Vault) SealAnswer(runID int64, answer string) ([]byte, error) {
	return v.Box.SealString(answerPurpose(runID), answer)
}

// OpenAnswer opens what SealAnswer sealed for the same run.
func (v *Vault) OpenAnswer(runID int64, sealed []byte) (string, error) {
	return v.Box.OpenString(answerPurpose(runID), sealed)
}

// SealSMS seals a received text.
func (v *Vault) SealSMS(text string) ([]byte, error) { return v.Box.SealString(smsPurpose, text) }

// OpenSMS opens a received text.
func (v *Vault) OpenSMS(sealed []byte) (string, error) { return v.Box.OpenString(smsPurpose, sealed) }

// Mailbox is the IMAP mailbox mail.code() reads, without its password.
type Mailbox struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	TLS         string `json:"tls"` // "tls" (implicit, port 993), "starttls" or "none"
	Username    string `json:"username"`
	Folder      string `json:"folder"` // default INBOX
	PasswordSet bool   `json:"passwordSet"`
}

// ErrNoMailbox is returned when no mailbox is set up.
var ErrNoMailbox = errors.New("no mailbox is set up; add one under Settings → Mailbox so billhound can read codes sent by e-mail")

// Mailbox returns the mailbox settings and the password (opened). ErrNoMailbox when unset.
func (v *Vault) Mailbox() (Mailbox, string, error) {
	var m Mailbox
	raw, err := v.Store.Setting(settingMailbox, "")
	if err != nil {
		return m, "", err
	}
	if raw == "" {
		return m, "", ErrNoMailbox
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, "", fmt.Errorf("the stored mailbox settings are damaged: %w", err)
	}
	enc, err := v.Store.Setting(settingMailboxPass, "")
	if err != nil {
		return m, "", err
	}
	sealed, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return m, "", fmt.Errorf("the stored mailbox password is damaged: %w", err)
	}
	pw, err := v.Box.OpenString(mailboxPurpose, sealed)
	m.PasswordSet = pw != ""
	return m, pw, err
}

// SetMailbox stores the mailbox settings; password nil keeps the stored one.
func (v *Vault) SetMailbox(m Mailbox, password *string) error {
	m.PasswordSet = false
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if password != nil {
		sealed, err := v.Box.SealString(mailboxPurpose, *password)
		if err != nil {
			return err
		}
		if err := v.Store.SetSetting(settingMailboxPass, base64.StdEncoding.EncodeToString(sealed)); err != nil {
			return err
		}
	}
	return v.Store.SetSetting(settingMailbox, string(raw))
}

// NewSMSToken makes the SMS inbox's token and keeps only its hash: it is shown once.
func (v *Vault) NewSMSToken() (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := "bhsms_" + base64.RawURLEncoding.EncodeToString(raw)
	return token, v.Store.SetSetting(settingSMSToken, hashToken(token))
}

// SMSTokenSet reports whether the SMS inbox has a token (and so accepts texts).
func (v *Vault) SMSTokenSet() (bool, error) {
	h, err := v.Store.Setting(settingSMSToken, "")
	return h != "", err
}

// CheckSMSToken reports whether token is the SMS inbox's token.
func (v *Vault) CheckSMSToken(token string) (bool, error) {
	want, err := v.Store.Setting(settingSMSToken, "")
	if err != nil || want == "" || strings.TrimSpace(token) == "" {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(hashToken(strings.TrimSpace(token))), []byte(want)) == 1, nil
}

// hashToken: SHA-256 suffices for a token of 192 random bits (no dictionary reaches it).
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
