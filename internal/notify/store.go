package notify

import (
	"context"
	"time"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Store persists the module's data of the principal's tenant.
type Store interface {
	// InsertNotifications writes inbox rows, skipping any whose (user,
	// key) already exists, and returns the ids it inserted.
	InsertNotifications(ctx context.Context, rows []Notification) ([]ids.ID, error)
	InsertDeliveries(ctx context.Context, rows []Delivery) error
	// EmailChoices returns the users' stored email choices for a
	// category (users without a row are absent).
	EmailChoices(ctx context.Context, category string, userIDs []ids.ID) (map[ids.ID]bool, error)
	Preferences(ctx context.Context, userID ids.ID) ([]Preference, error)
	SavePreferences(ctx context.Context, prefs []Preference) error

	// Inbox lists one page of a user's notifications, newest first.
	Inbox(ctx context.Context, userID ids.ID, f InboxFilter) ([]Notification, int, error)
	// UnreadCount counts a user's unread notifications, up to limit.
	UnreadCount(ctx context.Context, userID ids.ID, limit int) (int, error)
	// MarkRead marks one notification of the user read; false when it is
	// not his.
	MarkRead(ctx context.Context, userID, id ids.ID, at time.Time) (bool, error)
	MarkAllRead(ctx context.Context, userID ids.ID, at time.Time) (int, error)

	// DeliveryRows reads deliveries with their notifications.
	DeliveryRows(ctx context.Context, ids []ids.ID) ([]DeliveryRow, error)
	// ClaimDelivery takes a delivery for sending: it must be pending, or
	// sending under a claim that ran out. It returns false when the
	// delivery is finished or another run holds it.
	ClaimDelivery(ctx context.Context, d *Delivery, now time.Time) (bool, error)
	// SaveDelivery writes a delivery's outcome (state, address, message
	// id, error, sent time) and clears its claim. It changes nothing when
	// the delivery is already sent, nor, unless the outcome is "sent",
	// when another run's claim (not token) holds it; false then.
	SaveDelivery(ctx context.Context, d *Delivery, token string) (bool, error)
	// Deliveries lists the delivery log, newest first.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]DeliveryRow, int, error)
	// RequeueDelivery moves a failed delivery back to pending for a new
	// job; false when it is not failed.
	RequeueDelivery(ctx context.Context, id, jobID ids.ID, now time.Time) (bool, error)

	// SMTPSettings returns the tenant's settings, nil when none.
	SMTPSettings(ctx context.Context) (*SMTPSettings, error)
	// SaveSMTPSettings inserts (Version 1) or updates the settings if the
	// stored version is Version-1.
	SaveSMTPSettings(ctx context.Context, s *SMTPSettings) error
	DeleteSMTPSettings(ctx context.Context) (bool, error)
}
