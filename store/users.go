package store

import (
	"time"

	"gorm.io/gorm"
)

// User is the admin account. PasswordHash is an argon2id hash.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	CreatedAt    time.Time
}

// Session is a login; only the SHA-256 of its token is stored, so a copy of the database does
// not let anyone in.
type Session struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// HasUsers reports whether the admin account exists yet.
func (s *Store) HasUsers() (bool, error) {
	var n int64
	err := s.db.Model(&User{}).Count(&n).Error
	return n > 0, err
}

// CreateFirstUser creates the admin account only if no account exists (ErrConflict otherwise),
// atomically, so two browsers racing through the setup page cannot both create one.
func (s *Store) CreateFirstUser(u *User) error {
	return s.db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		return tx.Create(u).Error
	})
}

// UserByName finds a user, ignoring case.
func (s *Store) UserByName(name string) (*User, error) {
	var u User
	if err := s.db.Where("username = ?", name).First(&u).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// CreateSession stores a session.
func (s *Store) CreateSession(sess *Session) error {
	return s.db.Create(sess).Error
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(tokenHash string) (*User, error) {
	var u User
	err := s.db.Joins("JOIN sessions ON sessions.user_id = users.id").
		Where("sessions.token_hash = ? AND sessions.expires_at > ?", tokenHash, time.Now()).First(&u).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// DeleteSession ends a session; expired ones are swept at the same time.
func (s *Store) DeleteSession(tokenHash string) error {
	return s.db.Where("token_hash = ? OR expires_at < ?", tokenHash, time.Now()).Delete(&Session{}).Error
}
