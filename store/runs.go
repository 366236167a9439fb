package store

import (
	"time"

	"gorm.io/gorm"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
)

// Run is one execution of a portal's script.
type Run struct {
	ID          int64
	PortalID    int64
	Status      string
	Trigger     string // manual (UI), cli, schedule
	StartedAt   time.Time
	FinishedAt  *time.Time
	Error       string
	NewCount    int
	KnownCount  int
	FailedCount int

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

// StartRun inserts a running run for the portal unless one is already running, in which case
// it returns ErrConflict. Runs left "running" by a process that died more than stale ago do
// not block.
func (s *Store) StartRun(portalID int64, trigger string, stale time.Duration) (*Run, error) {
	r := &Run{PortalID: portalID, Status: RunRunning, Trigger: trigger, StartedAt: time.Now()}
	err := s.db.Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Run{}).Where("portal_id = ? AND status = ? AND started_at > ?",
			portalID, RunRunning, time.Now().Add(-stale)).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		return tx.Create(r).Error
	})
	return r, err
}

// FinishRun stores the outcome of a run.
func (s *Store) FinishRun(r *Run) error {
	now := time.Now()
	r.FinishedAt = &now
	r.Question, r.QuestionKind, r.QuestionAskedAt, r.QuestionUntil, r.AnswerSealed = "", "", nil, nil, nil
	return s.db.Model(&Run{ID: r.ID}).Select("status", "finished_at", "error", "new_count", "known_count", "failed_count",
		"question", "question_kind", "question_asked_at", "question_until", "answer_sealed").Updates(r).Error
}

// FailStaleRuns marks runs that have been "running" for longer than stale as failed: their
// process was killed. Called at startup.
func (s *Store) FailStaleRuns(stale time.Duration) error {
	return s.db.Model(&Run{}).Where("status = ? AND started_at < ?", RunRunning, time.Now().Add(-stale)).
		Updates(map[string]any{"status": RunFailed, "error": "the run was interrupted (billhound stopped)", "finished_at": time.Now()}).Error
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
	return &r, nil
}

// Runs lists runs newest first; portalID 0 means every portal.
func (s *Store) Runs(portalID int64, limit int) ([]Run, error) {
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
	var rs []Run
	err := s.db.Where("id IN (SELECT MAX(id) FROM runs GROUP BY portal_id)").Find(&rs).Error
	out := make(map[int64]Run, len(rs))
	for _, r := range rs {
		out[r.PortalID] = r
	}
	return out, err
}

// LastSuccess returns when the portal's last successful run started, or nil.
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
