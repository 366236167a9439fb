package store

import "time"

// APIToken is a personal API token. Only the SHA-256 of the token is stored: a copy of the
// database does not let anyone in. Prefix is the token's first characters, to tell them apart.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

// CreateAPIToken stores a token (its hash).
func (s *Store) CreateAPIToken(t *APIToken) error {
	return conflict(s.db.Create(t).Error)
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(userID int64) ([]APIToken, error) {
	var out []APIToken
	err := s.db.Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, err
}

// DeleteAPIToken revokes one of the user's tokens; ErrNotFound when there is none with id.
func (s *Store) DeleteAPIToken(userID, id int64) error {
	res := s.db.Where("user_id = ? AND id = ?", userID, id).Delete(&APIToken{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// APITokenUser returns the user a token belongs to and notes when it was used (to the minute,
// so a script polling every second does not write every second).
func (s *Store) APITokenUser(tokenHash string) (*User, error) {
	var t APIToken
	if err := s.db.Where("token_hash = ?", tokenHash).First(&t).Error; err != nil {
		return nil, notFound(err)
	}
	var u User
	if err := s.db.First(&u, t.UserID).Error; err != nil {
		return nil, notFound(err)
	}
	now := time.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		s.db.Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now)
	}
	return &u, nil
}

// TableName keeps the table's name independent of gorm's naming of initialisms.
func (APIToken) TableName() string { return "api_tokens" }
