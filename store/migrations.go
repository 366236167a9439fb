package store

import (
	"fmt"

	"gorm.io/gorm"
)

// migrations is the ordered list of schema changes. The schema version is the number applied;
// append, never edit or reorder a step that has shipped.
var migrations = []string{
	// 1: portals and their (sealed) credentials and TOTP secret.
	`CREATE TABLE portals (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		name TEXT NOT NULL UNIQUE COLLATE NOCASE,
		slug TEXT NOT NULL UNIQUE,
		script TEXT NOT NULL,
		url TEXT NOT NULL DEFAULT '',
		username TEXT NOT NULL DEFAULT '',
		password_sealed BLOB,
		totp_sealed BLOB,
		totp_issuer TEXT NOT NULL DEFAULT '',
		totp_account TEXT NOT NULL DEFAULT '',
		totp_algorithm TEXT NOT NULL DEFAULT '',
		totp_digits INTEGER NOT NULL DEFAULT 0,
		totp_period INTEGER NOT NULL DEFAULT 0,
		totp_source TEXT NOT NULL DEFAULT '',
		totp_last_step INTEGER NOT NULL DEFAULT 0,
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL
	)`,
	// 2: runs and their log lines.
	`CREATE TABLE runs (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
		status TEXT NOT NULL,
		trigger TEXT NOT NULL,
		started_at DATETIME NOT NULL,
		finished_at DATETIME,
		error TEXT NOT NULL DEFAULT '',
		new_count INTEGER NOT NULL DEFAULT 0,
		known_count INTEGER NOT NULL DEFAULT 0,
		failed_count INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX runs_portal ON runs(portal_id, id);
	CREATE TABLE run_logs (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		time DATETIME NOT NULL,
		level TEXT NOT NULL,
		message TEXT NOT NULL
	);
	CREATE INDEX run_logs_run ON run_logs(run_id, id)`,
	// 3: the archive's index. A file is stored once: by the portal's invoice number, and by content.
	`CREATE TABLE invoices (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
		run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
		number TEXT NOT NULL DEFAULT '',
		date TEXT NOT NULL DEFAULT '',
		amount TEXT NOT NULL DEFAULT '',
		currency TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',
		path TEXT NOT NULL,
		file_name TEXT NOT NULL,
		size INTEGER NOT NULL,
		sha256 TEXT NOT NULL UNIQUE,
		content_type TEXT NOT NULL,
		source_url TEXT NOT NULL DEFAULT '',
		created_at DATETIME NOT NULL
	);
	CREATE UNIQUE INDEX invoices_portal_number ON invoices(portal_id, number) WHERE number <> '';
	CREATE INDEX invoices_date ON invoices(date)`,
	// 4: settings, a small key/value table.
	`CREATE TABLE settings (
		key TEXT PRIMARY KEY,
		value TEXT NOT NULL
	)`,
	// 5: the admin account and its sessions (only token hashes are stored).
	`CREATE TABLE users (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		username TEXT NOT NULL UNIQUE COLLATE NOCASE,
		password_hash TEXT NOT NULL,
		created_at DATETIME NOT NULL
	);
	CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created_at DATETIME NOT NULL,
		expires_at DATETIME NOT NULL
	)`,
	// 6: the portal's one-time recovery codes (sealed), kept for when the authenticator is lost.
	`ALTER TABLE portals ADD COLUMN recovery_sealed BLOB;
	ALTER TABLE portals ADD COLUMN recovery_count INTEGER NOT NULL DEFAULT 0`,
	// 7: how often a portal runs by itself ("" = only when asked; else a Go duration like 24h).
	`ALTER TABLE portals ADD COLUMN schedule TEXT NOT NULL DEFAULT ''`,
	// 8: credential fields a script asks for beyond username and password (@fields), sealed.
	`ALTER TABLE portals ADD COLUMN fields_sealed BLOB`,
	// 9: two-factor sign-in for the app's own account: the TOTP secret (sealed; a pending one
	// while the user confirms it), its last used step, hashed one-time recovery codes, and the
	// logins waiting for their second step.
	`CREATE TABLE user_totp (
		user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
		sealed BLOB,
		enabled_at DATETIME,
		last_step INTEGER NOT NULL DEFAULT 0,
		pending_sealed BLOB,
		pending_until DATETIME
	);
	CREATE TABLE user_recovery_codes (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		code_hash TEXT NOT NULL,
		used_at DATETIME,
		UNIQUE (user_id, code_hash)
	);
	CREATE TABLE login_challenges (
		token_hash TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		expires_at DATETIME NOT NULL,
		failures INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX sessions_user ON sessions(user_id)`,
	// 10: who runs a run and until when: the owner renews lease_until (unix ms) while it works,
	// so a run whose process died can be told from a slow one. The partial index keeps the
	// look for running runs cheap on every read.
	`ALTER TABLE runs ADD COLUMN owner_host TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN owner_scope TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE runs ADD COLUMN owner_instance TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX runs_running ON runs(portal_id) WHERE status = 'running'`,
	// 11: the portal's login window (quiet hours): weekdays and hours in which scheduled runs
	// may start, like "mon,tue,wed,thu,fri 08:00-20:00"; "" = at any time.
	`ALTER TABLE portals ADD COLUMN login_window TEXT NOT NULL DEFAULT ''`,
	// 12: a portal's kept browser session (cookies and local storage, sealed) and when it was
	// kept. sealed is NULL for a portal with a persistent browser profile: the profile on disk
	// is its session, the row only says since when it is kept.
	`CREATE TABLE portal_sessions (
		portal_id INTEGER PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
		sealed BLOB,
		kept_at DATETIME NOT NULL
	)`,
	// 13: why a run failed (failure_kind, see package failure; '' unless failed) and what a
	// finished run warns about (warning: 'nothing_found'); and dedupe per portal: the same file
	// archived by two portals is an invoice of each, so content is unique per portal only. SQLite
	// cannot drop a UNIQUE constraint, so the invoices table is rebuilt.
	`ALTER TABLE runs ADD COLUMN failure_kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN warning TEXT NOT NULL DEFAULT '';
	UPDATE runs SET failure_kind = 'script_error' WHERE status = 'failed';
	CREATE TABLE invoices_by_portal (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
		run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
		number TEXT NOT NULL DEFAULT '',
		date TEXT NOT NULL DEFAULT '',
		amount TEXT NOT NULL DEFAULT '',
		currency TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',
		path TEXT NOT NULL,
		file_name TEXT NOT NULL,
		size INTEGER NOT NULL,
		sha256 TEXT NOT NULL,
		content_type TEXT NOT NULL,
		source_url TEXT NOT NULL DEFAULT '',
		created_at DATETIME NOT NULL,
		UNIQUE (portal_id, sha256)
	);
	INSERT INTO invoices_by_portal SELECT id, portal_id, run_id, number, date, amount, currency, title,
		path, file_name, size, sha256, content_type, source_url, created_at FROM invoices;
	DROP TABLE invoices;
	ALTER TABLE invoices_by_portal RENAME TO invoices;
	CREATE UNIQUE INDEX invoices_portal_number ON invoices(portal_id, number) WHERE number <> '';
	CREATE INDEX invoices_date ON invoices(date);
	CREATE INDEX invoices_sha256 ON invoices(sha256)`,
	// 14: a run waiting for the user: its open question (not a secret) and the answer, sealed,
	// until the run takes it; and the SMS inbox, kept for a short time (texts sealed).
	`ALTER TABLE runs ADD COLUMN question TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN question_kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN question_asked_at DATETIME;
	ALTER TABLE runs ADD COLUMN question_until DATETIME;
	ALTER TABLE runs ADD COLUMN answer_sealed BLOB;
	CREATE TABLE sms_messages (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		received_at DATETIME NOT NULL,
		sender TEXT NOT NULL DEFAULT '',
		text_sealed BLOB NOT NULL
	);
	CREATE INDEX sms_messages_time ON sms_messages(received_at)`,
	// 15: runs wait in a queue before they start: queued_at is when one was asked for (started_at
	// moves to when it really started), attempt counts automatic retries, retry_at says when the
	// next one is due. The active index covers what the one-run-per-portal rule looks at.
	`ALTER TABLE runs ADD COLUMN queued_at DATETIME;
	ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE runs ADD COLUMN retry_at DATETIME;
	DROP INDEX runs_running;
	CREATE INDEX runs_active ON runs(portal_id) WHERE status IN ('queued', 'running')`,
	// 16: the one-time code ledger, keyed by a keyed hash of the secret (never the secret), so
	// portals sharing a secret never send the same code: the last used TOTP step and the next
	// HOTP counter. Per portal: the kind of code (totp, hotp, steam), the portal's clock offset
	// learned from its Date headers, and how many recovery codes scripts have used.
	`CREATE TABLE otp_ledger (
		secret_id TEXT PRIMARY KEY,
		last_step INTEGER NOT NULL DEFAULT 0,
		counter INTEGER NOT NULL DEFAULT 0
	);
	ALTER TABLE portals ADD COLUMN totp_type TEXT NOT NULL DEFAULT '';
	ALTER TABLE portals ADD COLUMN clock_skew_ms INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE portals ADD COLUMN clock_checked_at DATETIME;
	ALTER TABLE portals ADD COLUMN recovery_used INTEGER NOT NULL DEFAULT 0`,
	// 17: personal API tokens for scripts and Prometheus: only the SHA-256 of a token is kept
	// (a hash, not sealed), with a short prefix the user recognises it by.
	`CREATE TABLE api_tokens (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		token_hash TEXT NOT NULL UNIQUE,
		prefix TEXT NOT NULL,
		created_at DATETIME NOT NULL,
		last_used_at DATETIME
	)`,
	// 18: when and by which run a portal's 2FA secret was confirmed (a run logged in with a code
	// from it, or the user said the portal accepted one); cleared when the secret is replaced.
	`ALTER TABLE portals ADD COLUMN totp_confirmed_at DATETIME;
	ALTER TABLE portals ADD COLUMN totp_confirmed_run INTEGER NOT NULL DEFAULT 0`,
	// 19: export targets (a folder, an e-mail address, a WebDAV folder or a webhook; for every
	// portal or one) and one delivery row per (invoice, target): never sent twice, retried with
	// a backoff, claimed by the process sending it (claimed_until) so a server and the CLI never
	// send the same one at once.
	`CREATE TABLE export_targets (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		portal_id INTEGER REFERENCES portals(id) ON DELETE CASCADE,
		name TEXT NOT NULL UNIQUE COLLATE NOCASE,
		kind TEXT NOT NULL,
		enabled INTEGER NOT NULL DEFAULT 1,
		config TEXT NOT NULL DEFAULT '{}',
		secret_sealed BLOB,
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL
	);
	CREATE TABLE exports (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
		target_id INTEGER NOT NULL REFERENCES export_targets(id) ON DELETE CASCADE,
		status TEXT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		sent_at DATETIME,
		next_attempt_at DATETIME,
		claimed_until DATETIME,
		claim_scope TEXT NOT NULL DEFAULT '',
		claim_pid INTEGER NOT NULL DEFAULT 0,
		claim_instance TEXT NOT NULL DEFAULT '',
		resends INTEGER NOT NULL DEFAULT 0,
		remote TEXT NOT NULL DEFAULT '',
		created_at DATETIME NOT NULL,
		updated_at DATETIME NOT NULL,
		UNIQUE (invoice_id, target_id)
	);
	CREATE INDEX exports_target ON exports(target_id);
	CREATE INDEX exports_due ON exports(next_attempt_at) WHERE status IN ('pending', 'failed')`,
	// 20: the archive at scale. amount_cents makes the amount range filter numeric (NULL when
	// the invoice has no amount). The indexes serve the archive's pages newest first: (date, id)
	// is the keyset order, and amount_cents and portal_id in the same index let those filters
	// run on the index alone; (portal_id, date, id, amount_cents) the same for one portal;
	// amount_cents alone counts an amount range. invoice_text is the full-text index: meta
	// holds portal name, number, title and file name, body the text extracted from the file.
	// Its rowid is the invoice's text_key, (days since 1970 of the date) << 32 | id, so the
	// index's own rowid order is the listing's order and a search reads only the matches of the
	// page it shows, newest first, without sorting all matches. text_state says whether the
	// file's text was extracted (0 not yet, 1 done). The per-portal counts and the sums per
	// month, portal and currency are kept by triggers, so the portal list and the archive's
	// totals never add up the whole table.
	`ALTER TABLE invoices ADD COLUMN amount_cents INTEGER;
	ALTER TABLE invoices ADD COLUMN text_state INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE invoices ADD COLUMN text_key INTEGER;
	UPDATE invoices SET amount_cents = CAST(ROUND(CAST(amount AS REAL) * 100) AS INTEGER) WHERE amount <> '';
	DROP INDEX invoices_date;
	CREATE INDEX invoices_list ON invoices(date, id, amount_cents, portal_id);
	CREATE INDEX invoices_portal_date ON invoices(portal_id, date, id, amount_cents);
	CREATE INDEX invoices_amount ON invoices(amount_cents);
	CREATE INDEX invoices_text_pending ON invoices(id) WHERE text_state = 0;
	CREATE VIRTUAL TABLE invoice_text USING fts5(meta, body, tokenize = 'unicode61 remove_diacritics 2');
	CREATE TABLE invoice_counts (
		portal_id INTEGER PRIMARY KEY REFERENCES portals(id) ON DELETE CASCADE,
		n INTEGER NOT NULL,
		bytes INTEGER NOT NULL DEFAULT 0
	);
	INSERT INTO invoice_counts SELECT portal_id, COUNT(*), COALESCE(SUM(size), 0) FROM invoices GROUP BY portal_id;
	CREATE TRIGGER invoices_count_insert AFTER INSERT ON invoices BEGIN
		INSERT INTO invoice_counts(portal_id, n, bytes) VALUES (new.portal_id, 1, new.size)
			ON CONFLICT(portal_id) DO UPDATE SET n = n + 1, bytes = bytes + new.size;
	END;
	CREATE TRIGGER invoices_count_delete AFTER DELETE ON invoices BEGIN
		UPDATE invoice_counts SET n = n - 1, bytes = bytes - old.size WHERE portal_id = old.portal_id;
		DELETE FROM invoice_text WHERE rowid = old.text_key;
		UPDATE invoice_months SET cents = cents - COALESCE(old.amount_cents, 0), n = n - 1
			WHERE month = substr(old.date, 1, 7) AND portal_id = old.portal_id AND currency = old.currency;
	END;
	CREATE TABLE invoice_months (
		month TEXT NOT NULL,
		portal_id INTEGER NOT NULL REFERENCES portals(id) ON DELETE CASCADE,
		currency TEXT NOT NULL,
		cents INTEGER NOT NULL,
		n INTEGER NOT NULL,
		PRIMARY KEY (month, portal_id, currency)
	);
	INSERT INTO invoice_months SELECT substr(date, 1, 7), portal_id, currency, COALESCE(SUM(amount_cents), 0), COUNT(*)
		FROM invoices GROUP BY 1, 2, 3;
	CREATE TRIGGER invoices_month_insert AFTER INSERT ON invoices BEGIN
		INSERT INTO invoice_months VALUES (substr(new.date, 1, 7), new.portal_id, new.currency, COALESCE(new.amount_cents, 0), 1)
			ON CONFLICT DO UPDATE SET cents = cents + excluded.cents, n = n + 1;
	END;
	CREATE TRIGGER invoices_month_update AFTER UPDATE OF date, amount_cents, currency, portal_id ON invoices BEGIN
		UPDATE invoice_months SET cents = cents - COALESCE(old.amount_cents, 0), n = n - 1
			WHERE month = substr(old.date, 1, 7) AND portal_id = old.portal_id AND currency = old.currency;
		INSERT INTO invoice_months VALUES (substr(new.date, 1, 7), new.portal_id, new.currency, COALESCE(new.amount_cents, 0), 1)
			ON CONFLICT DO UPDATE SET cents = cents + excluded.cents, n = n + 1;
	END`,
}

// SchemaVersion is the version a fully migrated database has.
func SchemaVersion() int { return len(migrations) }

func (s *Store) migrate() error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`).Error; err != nil {
			return err
		}
		var version int
		if err := tx.Raw(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version).Error; err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("the database is at schema version %d, newer than this billhound (%d)", version, len(migrations))
		}
		for i := version; i < len(migrations); i++ {
			if err := tx.Exec(migrations[i]).Error; err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if version < len(migrations) {
			if err := tx.Exec(`DELETE FROM schema_version`).Error; err != nil {
				return err
			}
			return tx.Exec(`INSERT INTO schema_version(version) VALUES (?)`, len(migrations)).Error
		}
		return nil
	})
}
