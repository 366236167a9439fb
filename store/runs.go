package store

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// Run statuses.
const (
	// RunQueued: asked for, waiting for one of the BILLHOUND_MAX_RUNS slots (or for its
	// scheduled time); its time limit has not started.
	RunQueued    = "queued"
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	// RunInterrupted: billhound stopped during the run (shut down, killed, or it could not
	// save the outcome); Error says which. Not the portal's fault.
	RunInterrupted = "interrupted"
	// RunWarning: the run ended without an error but something is off; Warning says what
	// (WarningNothingFound). Never shown as green.
	RunWarning = "warning"
)

// Warnings of a finished run.
const (
	// WarningNothingFound: logged in, archived nothing and knew no invoice, though the portal
	// had invoices before: the script probably no longer finds them.
	WarningNothingFound = "nothing_found"
)

// activeStatuses are the statuses of a run that has not ended: one per portal at a time.
var activeStatuses = []string{RunQueued, RunRunning}

// ErrNoSlot is returned by BeginRun while the global number of running runs is at its limit.
var ErrNoSlot = errors.New("every run slot is taken")

// ErrNotQueued is returned by BeginRun for a run that is no longer queued (it was
// interrupted while it waited).
var ErrNotQueued = errors.New("the run is no longer queued")

// Run is one execution of a portal's script.
type Run struct {
	ID          int64
	PortalID    int64
	Status      string
	Trigger     string     // manual (UI), cli, schedule, retry
	StartedAt   time.Time  // when it started running (while queued: when it was queued)
	QueuedAt    *time.Time // when it was asked for; nil for runs from before the queue
	Attempt     int        // 1, or the number of this automatic retry plus one
	RetryAt     *time.Time // a failed run that is retried automatically: when
	FinishedAt  *time.Time
	Error       string
	NewCount    int
	KnownCount  int
	FailedCount int
	FailureKind string // why it failed (a failure.Kind); "" unless Status is failed
	Warning     string // what a warning run warns about, e.g. WarningNothingFound; else ""
	// The process carrying out the run and until when it holds it (unix ms): see lease.go.
	OwnerHost     string `gorm:"column:owner_host"`
	OwnerScope    string `gorm:"column:owner_scope"`
	OwnerPID      int    `gorm:"column:owner_pid"`
	OwnerInstance string `gorm:"column:owner_instance"`
	LeaseUntil    int64  `gorm:"column:lease_until"`

	// An open question (ask()) while the run waits for the user; "" when none.
	Question        string
	QuestionKind    string
	QuestionAskedAt *time.Time
	QuestionUntil   *time.Time
	AnswerSealed    []byte // the answer, sealed, until the run takes it
}

// RunLog is one line of a run's log.
type RunLog struct {
	ID      int64
	RunID   int64
	Time    time.Time
	Level   string
	Message string
}

// StartRun inserts a running run for the portal, owned by this process, unless one is
// already queued or running, in which case it returns ErrConflict. A run whose owner is gone
// (see ReapRuns) is marked interrupted first and does not block.
func (s *Store) StartRun(portalID int64, trigger string) (*Run, error) {
	return s.newRun(portalID, trigger, RunRunning, 1)
}

// QueueRun inserts a queued run for the portal, owned by this process (which renews its lease
// while it waits), under the same rule as StartRun. BeginRun starts it.
func (s *Store) QueueRun(portalID int64, trigger string, attempt int) (*Run, error) {
	return s.newRun(portalID, trigger, RunQueued, attempt)
}

func (s *Store) newRun(portalID int64, trigger, status string, attempt int) (*Run, error) {
	now := time.Now()
	r := &Run{PortalID: portalID, Status: status, Trigger: trigger, StartedAt: now, QueuedAt: &now, Attempt: attempt,
		OwnerHost: s.owner.Host, OwnerScope: s.owner.Scope, OwnerPID: s.owner.PID,
		OwnerInstance: s.owner.Instance, LeaseUntil: now.Add(s.lease).UnixMilli()}
	err := s.db.Transaction(func(tx *gorm.DB) error {
		if _, err := s.reap(tx, portalID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Run{}).Where("portal_id = ? AND status IN ?", portalID, activeStatuses).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		return tx.Create(r).Error
	})
	return r, err
}

// BeginRun moves a queued run to running if fewer than max runs (of any portal, in any
// process on this database) are running; max <= 0 means no limit. Otherwise it returns
// ErrNoSlot and how many queued runs were asked for before this one. Its start time becomes
// now: the time it waited is not part of its run.
func (s *Store) BeginRun(r *Run, max int) (ahead int, err error) {
	now := time.Now()
	err = s.db.Transaction(func(tx *gorm.DB) error {
		if _, err := s.reap(tx, 0); err != nil {
			return err
		}
		if max > 0 {
			var running int64
			if err := tx.Model(&Run{}).Where("status = ?", RunRunning).Count(&running).Error; err != nil {
				return err
			}
			if running >= int64(max) {
				var n int64
				if err := tx.Model(&Run{}).Where("status = ? AND id < ?", RunQueued, r.ID).Count(&n).Error; err != nil {
					return err
				}
				ahead = int(n)
				return ErrNoSlot
			}
		}
		res := tx.Model(&Run{}).Where("id = ? AND status = ?", r.ID, RunQueued).
			Updates(map[string]any{"status": RunRunning, "started_at": now, "lease_until": now.Add(s.lease).UnixMilli()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotQueued
		}
		return nil
	})
	if err == nil {
		r.Status, r.StartedAt = RunRunning, now
	}
	return ahead, err
}

// SetRetryAt records when a failed run is retried automatically (nil: it is not, any more).
func (s *Store) SetRetryAt(id int64, at *time.Time) error {
	return s.db.Model(&Run{ID: id}).Update("retry_at", at).Error
}

// ClearRetries drops the pending automatic retry of a portal's runs: a run asked for by the
// user takes its place.
func (s *Store) ClearRetries(portalID int64) error {
	return s.db.Model(&Run{}).Where("portal_id = ? AND retry_at IS NOT NULL", portalID).Update("retry_at", nil).Error
}

// FinishRun stores the outcome of a run.
func (s *Store) FinishRun(r *Run) error {
	now := time.Now()
	r.FinishedAt = &now
	r.Question, r.QuestionKind, r.QuestionAskedAt, r.QuestionUntil, r.AnswerSealed = "", "", nil, nil, nil
	return s.db.Model(&Run{ID: r.ID}).Select("status", "finished_at", "error", "new_count", "known_count", "failed_count", "failure_kind", "warning",
		"question", "question_kind", "question_asked_at", "question_until", "answer_sealed").Updates(r).Error
}

// AddRunLog appends a line to a run's log.
func (s *Store) AddRunLog(runID int64, level, message string) error {
	return s.db.Create(&RunLog{RunID: runID, Time: time.Now(), Level: level, Message: message}).Error
}

// Run returns a run by id.
func (s *Store) Run(id int64) (*Run, error) {
	var r Run
	if err := s.db.First(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	if r.Status == RunRunning || r.Status == RunQueued {
		if n, err := s.reap(s.db, r.PortalID); err != nil || n == 0 {
			return &r, err
		}
		return s.Run(id)
	}
	return &r, nil
}

// Runs lists runs newest first; portalID 0 means every portal.
func (s *Store) Runs(portalID int64, limit int) ([]Run, error) {
	if _, err := s.reap(s.db, portalID); err != nil {
		return nil, err
	}
	q := s.db.Order("id DESC")
	if portalID != 0 {
		q = q.Where("portal_id = ?", portalID)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rs []Run
	return rs, q.Find(&rs).Error
}

// RunLogs returns a run's log in order.
func (s *Store) RunLogs(runID int64) ([]RunLog, error) {
	var ls []RunLog
	return ls, s.db.Where("run_id = ?", runID).Order("id").Find(&ls).Error
}

// LastRuns returns the newest run of every portal that has one, by portal id.
func (s *Store) LastRuns() (map[int64]Run, error) {
	if _, err := s.ReapRuns(); err != nil {
		return nil, err
	}
	var rs []Run
	err := s.db.Where("id IN (SELECT MAX(id) FROM runs GROUP BY portal_id)").Find(&rs).Error
	out := make(map[int64]Run, len(rs))
	for _, r := range rs {
		out[r.PortalID] = r
	}
	return out, err
}

// LastSuccess returns when the portal's last successful run started, or nil. A run that found
// nothing (a warning) does not count: `since` must not skip invoices it may have missed.
func (s *Store) LastSuccess(portalID int64) (*time.Time, error) {
	var r Run
	err := s.db.Where("portal_id = ? AND status = ?", portalID, RunSucceeded).Order("id DESC").First(&r).Error
	if err != nil {
		if notFound(err) == ErrNotFound {
			return nil, nil
		}
		return nil, err
	}
	return &r.StartedAt, nil
}

// LastStarts returns when each portal's newest run started, by portal id.
func (s *Store) LastStarts() (map[int64]time.Time, error) {
	var rows []struct {
		PortalID int64
		Started  string
	}
	// MAX over the text form: SQLite keeps DATETIME as ISO text, which sorts by time.
	err := s.db.Raw(`SELECT portal_id, MAX(started_at) AS started FROM runs GROUP BY portal_id`).Scan(&rows).Error
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		t, perr := parseDBTime(r.Started)
		if perr != nil {
			return nil, perr
		}
		out[r.PortalID] = t
	}
	return out, err
}

// SetRunStart moves a run's start time (for imports and tests of schedules).
func (s *Store) SetRunStart(id int64, t time.Time) error {
	return s.db.Model(&Run{ID: id}).Update("started_at", t).Error
}
