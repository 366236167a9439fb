package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"
)

// LeaseDuration is how long a run stays its owner's without a renewal. The owner renews every
// third of it, so a busy machine may miss one renewal without losing the run.
const LeaseDuration = 30 * time.Second

// Owner names the process that carries out a run.
type Owner struct {
	Host     string // hostname, for the reason shown to the user
	Scope    string // the boot and PID namespace PID belongs to ("" when unknown)
	PID      int
	Instance string // random per process: tells a reused PID from the process that owned the run
}

// self is this process. Every Store of the process shares it, so two stores on one file in one
// process (tests, the server and a command it calls) do not take each other for dead.
var self = currentOwner()

func currentOwner() Owner {
	host, _ := os.Hostname()
	b := make([]byte, 8)
	rand.Read(b)
	return Owner{Host: host, Scope: processScope(), PID: os.Getpid(), Instance: hex.EncodeToString(b)}
}

// processScope names where a PID means a process: this boot of this kernel and this PID
// namespace (a container has its own). Two processes with the same scope can check each
// other's PIDs.
func processScope() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
}

// The reasons an interrupted run gives; the log line and the run's error say the same.
const (
	reasonGone = "billhound stopped unexpectedly during this run (the process was killed or crashed); run it again"
	reasonLost = "billhound stopped unexpectedly during this run (the process was killed, the machine " +
		"restarted, or the outcome could not be saved, for example on a full disk); run it again"
)

// deadReason says why a running run's owner is gone, or "" while it may still be working.
func (o Owner) deadReason(r *Run, now time.Time) string {
	if r.OwnerInstance != o.Instance && o.Scope != "" && r.OwnerScope == o.Scope &&
		(r.OwnerPID == o.PID || processGone(r.OwnerPID)) {
		return reasonGone
	}
	if r.LeaseUntil < now.UnixMilli() {
		return reasonLost
	}
	return ""
}

// ReapRuns marks as interrupted every running run whose owner is gone: its lease ran out, or
// its process no longer exists on this machine. It returns how many it marked. Processes call
// it when they start; reads of runs call it too, so whoever looks sees the truth.
func (s *Store) ReapRuns() (int, error) { return s.reap(s.db, 0) }

// reap is ReapRuns within tx, for one portal (0: all).
func (s *Store) reap(tx *gorm.DB, portalID int64) (int, error) {
	q := tx.Where("status IN ?", activeStatuses)
	if portalID != 0 {
		q = q.Where("portal_id = ?", portalID)
	}
	var rs []Run
	if err := q.Find(&rs).Error; err != nil {
		return 0, err
	}
	now, n := time.Now(), 0
	for i := range rs {
		why := s.owner.deadReason(&rs[i], now)
		if why == "" {
			continue
		}
		// Only if the owner did not renew meanwhile: a renewal changes lease_until.
		res := tx.Model(&Run{}).Where("id = ? AND status IN ? AND lease_until = ?", rs[i].ID, activeStatuses, rs[i].LeaseUntil).
			Updates(map[string]any{"status": RunInterrupted, "error": why, "finished_at": now})
		if res.Error != nil {
			return n, res.Error
		}
		if res.RowsAffected == 1 {
			n++
			if err := tx.Create(&RunLog{RunID: rs[i].ID, Time: now, Level: "error", Message: why}).Error; err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// RenewLeases extends the leases of this process's runs among ids that are still running and
// returns how many it extended (fewer means a run ended or was taken for dead).
func (s *Store) RenewLeases(ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res := s.db.Model(&Run{}).Where("id IN ? AND status IN ? AND owner_instance = ?", ids, activeStatuses, s.owner.Instance).
		Update("lease_until", time.Now().Add(s.lease).UnixMilli())
	return int(res.RowsAffected), res.Error
}

// InterruptRun ends a queued or running run as interrupted with why (shown to the user).
func (s *Store) InterruptRun(id int64, why string) error {
	return s.db.Transaction(func(tx *gorm.DB) error { return s.interruptIn(tx, id, why) })
}

func (s *Store) interruptIn(tx *gorm.DB, id int64, why string) error {
	now := time.Now()
	res := tx.Model(&Run{}).Where("id = ? AND status IN ?", id, activeStatuses).
		Updates(map[string]any{"status": RunInterrupted, "error": why, "finished_at": now})
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return tx.Create(&RunLog{RunID: id, Time: now, Level: "error", Message: why}).Error
}

// Lease is how long a run stays its owner's without a renewal (LeaseDuration unless a test
// shortened it with SetLease).
func (s *Store) Lease() time.Duration { return s.lease }

// SetLease changes the lease of runs this Store starts or renews, so tests of expiry need not
// wait half a minute.
func (s *Store) SetLease(d time.Duration) {
	if d <= 0 {
		panic(fmt.Sprintf("store: lease %v", d))
	}
	s.lease = d
}

// InterruptQueued ends every queued run of this process as interrupted with why, and returns
// their ids: a stopping server drops the runs it had not started.
func (s *Store) InterruptQueued(why string) ([]int64, error) {
	var ids []int64
	err := s.db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Run{}).Where("status = ? AND owner_instance = ?", RunQueued, s.owner.Instance).Pluck("id", &ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.interruptIn(tx, id, why); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}
