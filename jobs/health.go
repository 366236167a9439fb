package jobs

import (
	"context"
	"errors"
)

// Check reports whether the queue is working: started and not stopped, and its tables answer.
func (q *Queue) Check(ctx context.Context) error {
	select {
	case <-q.client.Stopped():
		return errors.New("the job queue has stopped; restart billhound")
	default:
	}
	db, err := q.store.SQL()
	if err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state = 'available'`).Scan(&n); err != nil {
		return errors.New("the job queue's table does not answer")
	}
	return nil
}
