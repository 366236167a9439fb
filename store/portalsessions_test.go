package store

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestKeptSession: a kept session is stored, replaced, read without its bytes, forgotten, and
// goes with its portal.
func TestKeptSession(t *testing.T) {
	s, _ := openTest(t)
	p := &Portal{Name: "Kept", Script: "x"}
	if err := s.CreatePortal(p); err != nil {
		t.Fatal(err)
	}
	if at, err := s.SessionKeptAt(p.ID); err != nil || at != nil {
		t.Fatalf("before keeping: %v %v", at, err)
	}
	if _, err := s.KeptSession(p.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("KeptSession before keeping: %v", err)
	}
	first := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.KeepSession(p.ID, []byte("sealed-1"), first); err != nil {
		t.Fatal(err)
	}
	later := first.Add(time.Hour)
	if err := s.KeepSession(p.ID, []byte("sealed-2"), later); err != nil {
		t.Fatal(err)
	}
	k, err := s.KeptSession(p.ID)
	if err != nil || !bytes.Equal(k.Sealed, []byte("sealed-2")) || !k.KeptAt.Equal(later) {
		t.Fatalf("kept %+v %v; want the second one", k, err)
	}
	at, err := s.SessionKeptAt(p.ID)
	if err != nil || at == nil || !at.Equal(later) {
		t.Fatalf("SessionKeptAt = %v %v", at, err)
	}
	all, err := s.SessionsKeptAt()
	if err != nil || len(all) != 1 || !all[p.ID].Equal(later) {
		t.Fatalf("SessionsKeptAt = %v %v", all, err)
	}
	if err := s.ForgetSession(p.ID); err != nil {
		t.Fatal(err)
	}
	if at, _ := s.SessionKeptAt(p.ID); at != nil {
		t.Fatalf("still kept after forgetting: %v", at)
	}
	if err := s.ForgetSession(p.ID); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
	if err := s.KeepSession(p.ID, nil, later); err != nil { // a persistent profile: no bytes
		t.Fatal(err)
	}
	if err := s.DeletePortal(p.ID); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.SessionsKeptAt(); len(all) != 0 {
		t.Fatalf("the session outlived its portal: %v", all)
	}
}
