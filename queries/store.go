package queries

// Hand-written companions of the sqlc code: the one transaction helper and
// the one place PostgreSQL error codes become errors handlers can show. (The
// migration runner is app/migrate.)

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store bundles the pool with the generated queries.
type Store struct {
	*Queries
	Pool *pgxpool.Pool
}

// NewStore wraps a pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{Queries: New(pool), Pool: pool}
}

// Tx runs fn in a transaction: committed when fn returns nil, rolled back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(q *Queries) error) error {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := fn(s.WithTx(tx)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Errors a handler can turn into a message for the user.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	ErrReference = errors.New("refers to something that does not exist")
	ErrCheck     = errors.New("value not allowed")
)

// Classify maps driver errors to the errors above (wrapping the original) and
// leaves everything else alone.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return fmt.Errorf("%w (%s): %w", ErrDuplicate, pg.ConstraintName, err)
		case "23503":
			return fmt.Errorf("%w (%s): %w", ErrReference, pg.ConstraintName, err)
		case "23514", "22001", "22P02":
			return fmt.Errorf("%w (%s): %w", ErrCheck, pg.ConstraintName, err)
		}
	}
	return err
}

// IsNotFound reports whether err means "no such row".
func IsNotFound(err error) bool { return errors.Is(Classify(err), ErrNotFound) }

// IsDuplicate reports whether err is a unique violation.
func IsDuplicate(err error) bool { return errors.Is(Classify(err), ErrDuplicate) }
