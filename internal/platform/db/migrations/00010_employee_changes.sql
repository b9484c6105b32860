-- +goose Up
-- The tenant's job changes, newest first (GET /employee-changes and its
-- export, which pages on (valid_from, id)): without this index every page
-- sorts all the tenant's job history rows.
CREATE INDEX employee_assignments_day ON employee_assignments (tenant_id, valid_from, id);

-- +goose Down
DROP INDEX employee_assignments_day;
