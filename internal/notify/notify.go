// Package notify tells people about things: an in-app inbox per user
// with an unread count, email through the tenant's SMTP server (or the
// installation's), per-user channel preferences, templates in zh-CN and
// English registered by the modules, and reminders that modules register
// as sources and a daily job sends. It depends only on the platform;
// modules use it through registration (templates, reminder sources) and
// Service.Send. docs/modules/notify.md describes it.
package notify

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/ids"
)

// Message is one thing to tell one or more users of the caller's tenant
// (the tenant always comes from the principal in the context).
type Message struct {
	// Recipients are user (account) ids; duplicates are ignored.
	Recipients []ids.ID
	// Template is a registered template key ("approval.pending").
	Template string
	// Params fill the template; they are stored as JSON, so use strings,
	// numbers and booleans (format dates and money before sending).
	Params map[string]any
	// Link is the app route the notification opens ("/approvals/123").
	Link string
	// ObjectType and ObjectID name what the notification is about.
	ObjectType string
	ObjectID   string
	// Key makes the send idempotent: a recipient who already has a
	// notification with this key gets nothing new, so a retried request,
	// a re-run job or a second server process never notifies twice.
	// Empty means no deduplication.
	Key string
}

// Notification is one inbox row of one user.
type Notification struct {
	bun.BaseModel `bun:"table:notify_notifications,alias:n"`

	TenantID   ids.ID    `bun:"tenant_id,pk"`
	ID         ids.ID    `bun:"id,pk"`
	UserID     ids.ID    `bun:"user_id"`
	Template   string    `bun:"template"`
	Category   string    `bun:"category"`
	Params     string    `bun:"params"`
	Link       string    `bun:"link"`
	ObjectType string    `bun:"object_type"`
	ObjectID   string    `bun:"object_id"`
	Key        string    `bun:"dedupe_key,nullzero"`
	ReadAt     time.Time `bun:"read_at,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Channels a notification goes out on besides the inbox.
const ChannelEmail = "email"

// Delivery states.
const (
	DeliveryPending = "pending" // waiting for its job
	DeliverySending = "sending" // claimed by a run until ClaimedUntil
	DeliverySent    = "sent"    // the mail server accepted it
	DeliveryFailed  = "failed"  // given up (permanent error or attempts spent); retry re-queues
	DeliverySkipped = "skipped" // nothing to send to (no address, account disabled)
)

// DeliveryStates lists the states, for filters.
var DeliveryStates = []string{DeliveryPending, DeliverySending, DeliverySent, DeliveryFailed, DeliverySkipped}

// Delivery is one notification on one outbound channel.
type Delivery struct {
	bun.BaseModel `bun:"table:notify_deliveries,alias:d"`

	TenantID       ids.ID    `bun:"tenant_id,pk"`
	ID             ids.ID    `bun:"id,pk"`
	NotificationID ids.ID    `bun:"notification_id"`
	UserID         ids.ID    `bun:"user_id"`
	Channel        string    `bun:"channel"`
	State          string    `bun:"state"`
	Address        string    `bun:"address"`
	MessageID      string    `bun:"message_id"`
	Attempts       int       `bun:"attempts"`
	LastError      string    `bun:"last_error"`
	ClaimToken     string    `bun:"claim_token"`
	ClaimedUntil   time.Time `bun:"claimed_until,nullzero"`
	JobID          ids.ID    `bun:"job_id"`
	SentAt         time.Time `bun:"sent_at,nullzero"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// Preference is a user's email choice for a category (the inbox is
// always on).
type Preference struct {
	bun.BaseModel `bun:"table:notify_preferences"`

	TenantID  ids.ID    `bun:"tenant_id,pk"`
	UserID    ids.ID    `bun:"user_id,pk"`
	Category  string    `bun:"category,pk"`
	Email     bool      `bun:"email"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// InboxFilter narrows a user's inbox.
type InboxFilter struct {
	UnreadOnly bool
	Page, Size int
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	State      string
	UserID     ids.ID
	Page, Size int
}

// DeliveryRow is a delivery with what it delivered, for the log and
// for the sending job.
type DeliveryRow struct {
	Delivery
	Template   string `bun:"template"`
	Params     string `bun:"params"`
	Link       string `bun:"link"`
	ObjectType string `bun:"object_type"`
	ObjectID   string `bun:"object_id"`
}
