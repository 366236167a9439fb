// Package store keeps billhound's state in one SQLite file through gorm and the pure-Go
// glebarez/sqlite driver. One file per entity; secrets arrive here already sealed by the
// secrets package, so nothing in this package ever sees a plaintext password or TOTP seed.
package store

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNotFound is returned when a row asked for by id or name does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique name or key is already taken.
var ErrConflict = errors.New("already exists")

// Store is the database. It is safe for concurrent use, also by several processes on the same
// file (the server and the CLI): WAL mode and a busy timeout let them take turns.
type Store struct {
	db    *gorm.DB
	owner Owner         // the process that starts runs through this Store
	lease time.Duration // see LeaseDuration
}

// Open opens (creating if needed) the SQLite database at path and applies pending migrations.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// The database holds sealed secrets and the sessions: only its owner may read it. SQLite
	// gives the -wal and -shm files the database file's mode, so creating it 0600 first
	// covers those; files from before are narrowed below.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	// _txlock=immediate takes the write lock when a transaction begins, so two processes never
	// deadlock upgrading read locks; busy_timeout makes the second one wait instead of failing.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{
		Logger:         logger.Default.LogMode(logger.Silent),
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, owner: self, lease: LeaseDuration}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	if err := privateFiles(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// privateFiles makes the database and its WAL files readable by their owner only.
func privateFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private (mode 0600): %w", p, err)
			}
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

func conflict(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return ErrConflict
	}
	return err
}

// SQL returns the database/sql pool under the store: the job queue keeps its tables in the
// same file, through the same connections.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }
