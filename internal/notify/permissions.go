package notify

import "github.com/renshi/renshi/internal/platform/rbac"

// PermSettings allows the tenant's mail settings (SMTP server, test
// email) and the delivery log with retries. Every signed-in user has an
// inbox and preferences without a permission.
const PermSettings = "notify.settings.manage"

// Audit object types.
const (
	ObjectSettings    = "notify_smtp_settings"
	ObjectPreferences = "notify_preferences"
	ObjectDelivery    = "notify_delivery"
)

func init() {
	// Super admins hold every permission; nobody else needs this one by
	// default (mail settings carry a password).
	rbac.Register(rbac.Permission{Code: PermSettings})
}
