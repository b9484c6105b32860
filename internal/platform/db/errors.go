package db

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/renshi/renshi/internal/platform/errs"
)

// NotFound turns "no rows" into the not-found error naming the object
// (an i18n key such as "object.employee"); other errors pass unchanged.
func NotFound(err error, object string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf(object)
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-key violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
