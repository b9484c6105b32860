-- One account per employee.

-- +goose Up
CREATE UNIQUE INDEX auth_users_employee ON auth_users (tenant_id, employee_id);

-- +goose Down
SELECT 1;
