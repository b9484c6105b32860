-- +goose Up
-- The daily reminders read the contracts ending in the next 30 days of a
-- tenant (employee.Store.ContractsEnding).
CREATE INDEX employee_contracts_end ON employee_contracts (tenant_id, end_date);

-- +goose Down
DROP INDEX employee_contracts_end;
